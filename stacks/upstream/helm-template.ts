import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { ManifestObject } from '../manifests';

export interface HelmTemplateArgs {
  /** The helm binary. */
  readonly helm: string;
  /** A .tgz path, a chart name (with `repo`), or an oci:// reference. */
  readonly chart: string;
  /** Repository URL for a chart given by name. @default none */
  readonly repo?: string;
  /** Chart version for a remote chart. @default the archive's own */
  readonly version?: string;
  readonly release: string;
  readonly namespace: string;
  /** Exactly the values the platform hands the release. */
  readonly values: Readonly<Record<string, unknown>>;
  /** The cluster's Kubernetes version, e.g. v1.34.0 (helm's own default would be stale). */
  readonly kubeVersion: string;
  /** Leave the chart's hooks out (the deliveries disable them for this add-on). @default hooks included */
  readonly noHooks?: boolean;
  /** API versions the cluster serves besides the built-in ones (CRDs), as group/version and group/version/Kind. */
  readonly apiVersions: readonly string[];
}

const SOURCES = new WeakMap<ManifestObject, string>();

/** The chart file helm rendered an object from (e.g. kserve-crd/templates/x.yaml, or a crds/ file), if helm said. */
export function renderedFrom(obj: ManifestObject): string | undefined {
  return SOURCES.get(obj);
}

/** Whether helm applies an object as a template: a CRD from a chart's crds/ folder is installed before the templates, and on its own. */
export function isTemplateCrd(obj: ManifestObject): boolean {
  const source = renderedFrom(obj);
  return obj.kind === 'CustomResourceDefinition' && source !== undefined && source.split('/').includes('templates');
}

/**
 * `helm template` of one release, as the cluster would install it: CRDs included, hooks included
 * (they run as pods too), chart tests left out. Throws with helm's message when it refuses.
 */
export function helmTemplate(args: HelmTemplateArgs): ManifestObject[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hml-helm-'));
  try {
    const valuesFile = path.join(dir, 'values.json');
    fs.writeFileSync(valuesFile, JSON.stringify(args.values));
    const cli = [
      'template', args.release, args.chart,
      '--namespace', args.namespace,
      '--values', valuesFile,
      '--kube-version', args.kubeVersion,
      '--include-crds', '--skip-tests',
      ...(args.noHooks === true ? ['--no-hooks'] : []),
      ...(args.repo !== undefined ? ['--repo', args.repo] : []),
      ...(args.version !== undefined ? ['--version', args.version] : []),
      ...args.apiVersions.flatMap((v) => ['--api-versions', v]),
    ];
    const env = { ...process.env, HELM_CACHE_HOME: path.join(dir, 'cache'), HELM_CONFIG_HOME: path.join(dir, 'config'), HELM_DATA_HOME: path.join(dir, 'data') };
    const res = spawnSync(args.helm, cli, { encoding: 'utf8', env, maxBuffer: 256 * 1024 * 1024 });
    if (res.error !== undefined) throw new Error(`helm template ${args.release}: ${res.error.message} (set HELM to the helm binary, or run npm run tools:build)`);
    if (res.status !== 0) throw new Error(`helm template ${args.release} (${args.chart}) failed:\n${res.stderr}`);
    const objects: ManifestObject[] = [];
    let source: string | undefined;
    for (const doc of YAML.parseAllDocuments(res.stdout)) {
      // helm heads each rendered template with "# Source: <chart>/templates/<file>", but a crds/ file
      // once, however many documents it holds: a document without a header is from the file before.
      const o = doc.toJS() as ManifestObject | null;
      // A header alone is an empty document whose comment is its (null) content's.
      const header = o === null ? `${doc.comment ?? ''}\n${doc.contents?.comment ?? ''}` : `${doc.commentBefore ?? ''}\n${doc.contents?.commentBefore ?? ''}`;
      source = /Source: (\S+)/.exec(header)?.[1] ?? source;
      if (o === null || typeof o !== 'object' || typeof o.kind !== 'string') continue;
      if (source !== undefined) SOURCES.set(o, source);
      objects.push(o);
    }
    return objects;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
