/**
 * The Kubeflow install of every shipped environment, built from the real manifests: the Flux
 * Kustomizations the platform synthesizes for the environment's primary cluster, each built by
 * kustomize v5 (the version Flux's kustomize-controller embeds a v5 of) from the pinned release in
 * ../shared/kubeflow-manifests (stacks/upstream/kubeflow-build.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { KUBEFLOW_PARTS, KustomizePart } from '../../../constructs/catalog';
import { kustomizationNames } from '../../../constructs/kubeflow/kubeflow';
import { ManifestObject } from '../../../stacks/manifests';
import { buildFluxKustomization, FluxKustomizationObject, isKubeflowKustomization, kubeflowManifestsDir, kustomizeBuild, prepareManifestsTree, PreparedTree } from '../../../stacks/upstream/kubeflow-build';
import { repoRoot } from '../../toolchain/go-build';
import { ensureTools } from '../../tools/build';
import { ENV_NAMES, rendered } from '../../support/synth';

export interface BuiltKustomization {
  readonly env: string;
  readonly cluster: string;
  /** The Flux Kustomization as synthesized. */
  readonly flux: FluxKustomizationObject & { readonly spec: { readonly dependsOn?: readonly { readonly name: string }[] } };
  readonly part: KustomizePart;
  /** What kustomize built with the Kustomization's patches and images. */
  readonly objects: readonly ManifestObject[];
  /** kustomize's message when the build failed (objects is then empty). */
  readonly error?: string;
  readonly ms: number;
}

export interface KubeflowInstall {
  readonly env: string;
  readonly cluster: string;
  readonly mirrorHost?: string;
  readonly kustomizations: readonly BuiltKustomization[];
}

export interface KubeflowBuilds {
  readonly kustomize: string;
  readonly workDir: string;
  readonly tree: PreparedTree;
  readonly installs: readonly KubeflowInstall[];
  /** The upstream path alone (no patches, no images), per path. */
  readonly plain: ReadonlyMap<string, readonly ManifestObject[]>;
  readonly ms: number;
}

/** The part a Kustomization name belongs to (`kf-notebooks-2` -> kf-notebooks). */
export function partOf(name: string): KustomizePart {
  const part = KUBEFLOW_PARTS.find((p) => kustomizationNames(p).includes(name));
  if (part === undefined) throw new Error(`Kustomization ${name} belongs to no part of KUBEFLOW_PARTS`);
  return part;
}

const mirrorOf = (ks: readonly FluxKustomizationObject[]): string | undefined => {
  const redirected = ks.flatMap((k) => k.spec.images ?? []).find((i) => i.newName !== undefined);
  return redirected?.newName?.split('/')[0];
};

/**
 * What Flux's kustomize-controller itself builds: it adds the Kustomization's patches and images to
 * the kustomization.yaml at the path (appending to upstream's own lists) and builds that. Done on the
 * prepared tree, the file restored afterwards.
 */
export function fluxInPlaceBuild(kustomize: string, k: FluxKustomizationObject, tree: PreparedTree): readonly ManifestObject[] {
  const file = path.join(tree.root, k.spec.path, 'kustomization.yaml');
  const original = fs.readFileSync(file, 'utf8');
  const doc = YAML.parse(original) as Record<string, unknown>;
  const list = (key: string): unknown[] => (Array.isArray(doc[key]) ? (doc[key] as unknown[]) : []);
  if ((k.spec.patches ?? []).length > 0) doc.patches = [...list('patches'), ...(k.spec.patches ?? []).map((p) => ({ target: { ...p.target }, patch: p.patch }))];
  if (k.spec.targetNamespace !== undefined) doc.namespace = k.spec.targetNamespace;
  if ((k.spec.images ?? []).length > 0) doc.images = [...list('images'), ...(k.spec.images ?? []).map((i) => ({ ...i }))];
  fs.chmodSync(file, 0o644);
  try {
    fs.writeFileSync(file, YAML.stringify(doc));
    return kustomizeBuild(kustomize, path.dirname(file)).objects;
  } finally {
    fs.writeFileSync(file, original);
  }
}

let pending: Promise<KubeflowBuilds> | undefined;

/** Builds every environment's Kubeflow once per test process. */
export function kubeflowBuilds(): Promise<KubeflowBuilds> {
  pending ??= (async () => {
    const started = Date.now();
    const { kustomize } = await ensureTools();
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hml-kubeflow-'));
    process.once('exit', () => fs.rmSync(workDir, { recursive: true, force: true }));
    const tree = prepareManifestsTree(kubeflowManifestsDir(repoRoot()), workDir);
    const installs: KubeflowInstall[] = [];
    for (const env of ENV_NAMES) {
      for (const c of rendered(env)) {
        const fluxKs = c.files.flatMap((f) => f.objects).filter(isKubeflowKustomization) as unknown as BuiltKustomization['flux'][];
        if (fluxKs.length === 0) continue;
        const kustomizations = fluxKs.map((flux): BuiltKustomization => {
          const t = Date.now();
          try {
            const built = buildFluxKustomization(kustomize, flux, tree, path.join(workDir, env, c.cluster.name));
            return { env, cluster: c.cluster.name, flux, part: partOf(flux.metadata.name), objects: built.objects, ms: built.ms };
          } catch (err) {
            return { env, cluster: c.cluster.name, flux, part: partOf(flux.metadata.name), objects: [], error: (err as Error).message, ms: Date.now() - t };
          }
        });
        installs.push({ env, cluster: c.cluster.name, mirrorHost: mirrorOf(fluxKs), kustomizations });
      }
    }
    const plain = new Map<string, readonly ManifestObject[]>();
    for (const p of new Set(KUBEFLOW_PARTS.flatMap((part) => part.paths))) {
      try {
        plain.set(p, kustomizeBuild(kustomize, path.join(tree.root, p)).objects);
      } catch {
        plain.set(p, []);
      }
    }
    return { kustomize, workDir, tree, installs, plain, ms: Date.now() - started };
  })();
  return pending;
}
