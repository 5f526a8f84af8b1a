/**
 * Building the Kubeflow install the way Flux does, offline: the pinned kubeflow/manifests release
 * from a local copy (a git mirror's checkout, or ../shared/kubeflow-manifests in CI), the Argo
 * Workflows remote bases of the Pipelines part pointed at a local copy of their repository (as an
 * air-gapped install points them at its git mirror), and each Flux Kustomization's patches and image
 * redirects applied by a kustomization.yaml that takes the upstream path as its only resource.
 *
 * The overlay is made from the synthesized Flux Kustomization object itself, so what is built here
 * carries exactly what the platform hands Flux. Used by the upstream suite (test/upstream/) and by
 * whatever lists the images an install runs (kubeflow-images.ts).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { KUBEFLOW_MANIFESTS } from '../../constructs/catalog';
import { KUBEFLOW_SOURCE } from '../../constructs/kubeflow/kubeflow';
import { ManifestObject } from '../manifests';

/** Overrides where the manifests copy is (a folder holding `<tag>/` and `argo-workflows-<ref>/`). */
export const KUBEFLOW_MANIFESTS_DIR_ENV = 'HML_KUBEFLOW_MANIFESTS';

/** The local manifests copy: $HML_KUBEFLOW_MANIFESTS, else ../shared/kubeflow-manifests beside the repository. */
export function kubeflowManifestsDir(repoRoot: string): string {
  return process.env[KUBEFLOW_MANIFESTS_DIR_ENV] || path.resolve(repoRoot, '..', 'shared', 'kubeflow-manifests');
}

/** The fields of a Flux Kustomization the build needs (as the platform synthesizes it). */
export interface FluxKustomizationObject {
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly path: string;
    readonly targetNamespace?: string;
    readonly patches?: readonly { readonly target: Record<string, string>; readonly patch: string }[];
    readonly images?: readonly { readonly name: string; readonly newName?: string; readonly newTag?: string; readonly digest?: string }[];
  };
}

export const isFluxKustomization = (o: ManifestObject): boolean => o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/');

/** A Flux Kustomization of the Kubeflow install (its source is the Kubeflow manifests repository; other Kustomizations, e.g. the Gateway API CRDs, are not). */
export const isKubeflowKustomization = (o: ManifestObject): boolean => isFluxKustomization(o) && (o.spec as { sourceRef?: { name?: string } } | undefined)?.sourceRef?.name === KUBEFLOW_SOURCE;

/**
 * kustomization.yaml that builds one Flux Kustomization: its path as the only resource, its patches
 * and images as they are. treeRoot is relative to the overlay's folder (kustomize refuses absolute
 * directory resources).
 */
export function kubeflowOverlay(k: FluxKustomizationObject, treeRoot: string): Record<string, unknown> {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [path.posix.join(treeRoot, k.spec.path)],
    // Flux's targetNamespace is kustomize's namespace transformer on the built path.
    ...(k.spec.targetNamespace !== undefined ? { namespace: k.spec.targetNamespace } : {}),
    ...(k.spec.patches !== undefined && k.spec.patches.length > 0 ? { patches: k.spec.patches.map((p) => ({ target: { ...p.target }, patch: p.patch })) } : {}),
    ...(k.spec.images !== undefined && k.spec.images.length > 0 ? { images: k.spec.images.map((i) => ({ ...i })) } : {}),
  };
}

/** `https://github.com/argoproj/argo-workflows/manifests/<path>?ref=<tag>` as the manifests name their remote bases. */
const ARGO_REMOTE = /^https:\/\/github\.com\/argoproj\/argo-workflows\/(manifests\/[^?]+)\?ref=(v[0-9][^&\s]*)$/;
const KUSTOMIZATION_FILES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

export interface PreparedTree {
  /** The copy of `<tag>/`, Flux Kustomization paths are relative to it. */
  readonly root: string;
  /** Remote bases rewritten: file (relative to root) -> [remote, local]. */
  readonly rewrites: readonly { readonly file: string; readonly remote: string; readonly local: string }[];
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/**
 * Copies `<manifestsDir>/<tag>` into workDir and points every Argo Workflows remote base at
 * `<manifestsDir>/argo-workflows-<ref>/<path>`. Throws when a referenced local copy is missing
 * or any other remote resource is left (the build would then need the network).
 */
export function prepareManifestsTree(manifestsDir: string, workDir: string, tag: string = KUBEFLOW_MANIFESTS.tag): PreparedTree {
  const source = path.join(manifestsDir, tag);
  if (!fs.existsSync(source)) throw new Error(`no Kubeflow manifests at ${source}: expected kubeflow/manifests at tag ${tag} there (set ${KUBEFLOW_MANIFESTS_DIR_ENV} to a folder holding ${tag}/)`);
  const root = path.join(workDir, tag);
  fs.cpSync(source, root, { recursive: true });
  const rewrites: { file: string; remote: string; local: string }[] = [];
  const remotes: string[] = [];
  for (const file of walk(root).filter((f) => KUSTOMIZATION_FILES.has(path.basename(f)))) {
    const text = fs.readFileSync(file, 'utf8');
    const doc = YAML.parse(text) as Record<string, unknown> | null;
    const entries = ['resources', 'bases', 'components'].flatMap((k) => (Array.isArray(doc?.[k]) ? (doc[k] as unknown[]) : [])).filter((e): e is string => typeof e === 'string');
    let rewritten = text;
    for (const entry of entries) {
      const m = ARGO_REMOTE.exec(entry);
      if (m === null) {
        if (/^(https?:\/\/|git@|github\.com\/|ssh:\/\/)/.test(entry)) remotes.push(`${path.relative(root, file)}: ${entry}`);
        continue;
      }
      const local = path.join(manifestsDir, `argo-workflows-${m[2]}`, m[1]);
      if (!fs.existsSync(path.join(local, 'kustomization.yaml'))) throw new Error(`${path.relative(root, file)} names ${entry}, but ${local} holds no kustomization.yaml`);
      // Relative: kustomize refuses an absolute directory as a resource ("new root cannot be absolute").
      rewritten = rewritten.split(entry).join(path.relative(path.dirname(file), local));
      rewrites.push({ file: path.relative(root, file), remote: entry, local });
    }
    if (rewritten !== text) {
      fs.chmodSync(file, 0o644);
      fs.writeFileSync(file, rewritten);
    }
  }
  if (remotes.length > 0) throw new Error(`remote resources other than the Argo Workflows bases; an offline build cannot fetch them:\n  ${remotes.join('\n  ')}`);
  return { root, rewrites };
}

export interface KustomizeBuild {
  readonly objects: ManifestObject[];
  readonly stderr: string;
  readonly ms: number;
}

/** `kustomize build <dir>`; throws with kustomize's message when it fails. */
export function kustomizeBuild(kustomize: string, dir: string): KustomizeBuild {
  const started = Date.now();
  const res = spawnSync(kustomize, ['build', dir], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (res.error) throw res.error;
  if (res.status !== 0) throw new Error(`kustomize build ${dir} failed (exit ${res.status}):\n${res.stderr}`);
  const objects = YAML.parseAllDocuments(res.stdout)
    .map((d) => d.toJS({ maxAliasCount: -1 }) as ManifestObject | null)
    .filter((o): o is ManifestObject => o !== null && typeof o === 'object');
  return { objects, stderr: res.stderr, ms: Date.now() - started };
}

/** Writes the overlay of a Flux Kustomization into `<workDir>/overlays/<name>/` and builds it. */
export function buildFluxKustomization(kustomize: string, k: FluxKustomizationObject, tree: PreparedTree, workDir: string): KustomizeBuild {
  const dir = path.join(workDir, 'overlays', k.metadata.name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), YAML.stringify(kubeflowOverlay(k, path.relative(dir, tree.root))));
  return kustomizeBuild(kustomize, dir);
}

/**
 * Everything a cluster's Kubeflow install creates: builds each Flux Kustomization of the Kubeflow
 * source among the cluster's synthesized objects (in a temporary copy of the manifests, removed
 * afterwards) and returns the built objects, in Kustomization order. Feed them to kubeflowImages().
 */
export function buildKubeflowInstall(kustomize: string, clusterObjects: readonly ManifestObject[], manifestsDir: string): ManifestObject[] {
  const ks = clusterObjects.filter(isKubeflowKustomization) as unknown as FluxKustomizationObject[];
  if (ks.length === 0) return [];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hml-kubeflow-build-'));
  try {
    const tree = prepareManifestsTree(manifestsDir, work);
    return ks.flatMap((k) => buildFluxKustomization(kustomize, k, tree, work).objects);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
