/**
 * Rewrites the Kubeflow CRD fixtures (test/fixtures/crds/kubeflow-*.yaml, Trainer excepted: the
 * platform installs it from its Helm chart) from what the pinned manifests release installs: the
 * CRDs of `kustomize build` of the delivered paths (no platform patches touch a CRD), every schema
 * `description` keyword removed as in the shared CRD set, nothing else changed.
 *
 *   npm run build && node build/test/upstream/kubeflow/refresh-crd-fixtures.js
 *
 * The upstream suite fails while a fixture differs from the build.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { KUBEFLOW_MANIFESTS, KUBEFLOW_PARTS } from '../../../constructs/catalog';
import { ManifestObject } from '../../../stacks/manifests';
import { kubeflowManifestsDir, kustomizeBuild, prepareManifestsTree } from '../../../stacks/upstream/kubeflow-build';
import { repoRoot } from '../../toolchain/go-build';
import { ensureTools } from '../../tools/build';
import { fixtureForm } from './checks';

interface FixtureFile {
  readonly file: string;
  readonly title: string;
  readonly crds: readonly string[];
}

/** Which CRDs go into which fixture file (the kinds the platform's output and examples use, and their siblings). */
export const KUBEFLOW_CRD_FIXTURES: readonly FixtureFile[] = [
  { file: 'kubeflow-profiles-poddefaults.yaml', title: 'Kubeflow Profiles and PodDefaults (profile-controller, admission-webhook)', crds: ['profiles.kubeflow.org', 'poddefaults.kubeflow.org'] },
  { file: 'kubeflow-notebooks.yaml', title: 'Kubeflow Notebooks (notebook-controller)', crds: ['notebooks.kubeflow.org'] },
  {
    file: 'kubeflow-pipelines.yaml',
    title: 'Kubeflow Pipelines',
    crds: ['scheduledworkflows.kubeflow.org', 'viewers.kubeflow.org', 'pipelines.pipelines.kubeflow.org', 'pipelineversions.pipelines.kubeflow.org'],
  },
];

/** The commit of the tag, from the manifests copy's SOURCES.md (the table row of the tag's folder). */
function tagCommit(manifestsDir: string): string {
  const sources = path.join(manifestsDir, 'SOURCES.md');
  const row = fs.existsSync(sources) ? fs.readFileSync(sources, 'utf8').split('\n').find((l) => l.startsWith(`| \`${KUBEFLOW_MANIFESTS.tag}/\``)) : undefined;
  return /`([0-9a-f]{40})`/.exec(row ?? '')?.[1] ?? 'unknown';
}

export async function refreshCrdFixtures(): Promise<string[]> {
  const { kustomize } = await ensureTools();
  const manifestsDir = kubeflowManifestsDir(repoRoot());
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hml-kf-crds-'));
  try {
    const tree = prepareManifestsTree(manifestsDir, work);
    const from = new Map<string, { crd: ManifestObject; path: string }>();
    for (const p of KUBEFLOW_PARTS.flatMap((part) => part.paths)) {
      for (const o of kustomizeBuild(kustomize, path.join(tree.root, p)).objects) if (o.kind === 'CustomResourceDefinition' && !from.has(o.metadata.name)) from.set(o.metadata.name, { crd: fixtureForm(o), path: p });
    }
    const written: string[] = [];
    for (const f of KUBEFLOW_CRD_FIXTURES) {
      const found = f.crds.map((name) => {
        const hit = from.get(name);
        if (hit === undefined) throw new Error(`${name} is not installed by ${KUBEFLOW_MANIFESTS.tag}'s delivered paths`);
        return hit;
      });
      const header = [
        `# ${f.title}: upstream CustomResourceDefinitions, schema \`description\` fields removed.`,
        '# Data for offline validation and for installing into test API servers; nothing else changed.',
        `# Source: ${KUBEFLOW_MANIFESTS.url} tag ${KUBEFLOW_MANIFESTS.tag} (commit ${tagCommit(manifestsDir)}), as \`kustomize build\` of`,
        ...[...new Set(found.map((x) => x.path))].map((p) => `#   ${p}`),
        '# makes them (upstream patches and labels applied); written by test/upstream/kubeflow/refresh-crd-fixtures.ts.',
      ];
      const body = found.map((x) => `---\n${YAML.stringify(x.crd, { lineWidth: 0 })}`).join('');
      const file = path.join(repoRoot(), 'test', 'fixtures', 'crds', f.file);
      fs.writeFileSync(file, `${header.join('\n')}\n${body}`);
      written.push(`${f.file}: ${f.crds.join(', ')}`);
    }
    return written;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  refreshCrdFixtures().then(
    (w) => process.stdout.write(`${w.join('\n')}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
