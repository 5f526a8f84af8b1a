/**
 * Kubeflow delivered by Pulumi: the Flux Kustomizations the cdk8s output holds for a primary
 * cluster (kubeflow-plan.ts), each built by kustomize from the pinned kubeflow/manifests release at
 * program run time, and applied Kustomization by Kustomization in their dependsOn order.
 *
 * Stack settings (the program fails naming the one missing when Kubeflow runs on a cluster):
 * - `kustomize`: a kustomize v5 binary (Flux's kustomize-controller builds with kustomize v5).
 *   @default $KUSTOMIZE
 * - `kubeflowManifests`: a folder holding kubeflow/manifests at the pinned tag in `<tag>/` and
 *   Argo Workflows at the ref its Pipelines part names in `argo-workflows-<ref>/` (a git mirror's
 *   checkouts; the remote bases are pointed at the local copy). @default $HML_KUBEFLOW_MANIFESTS
 * - `kubeflowWebhooks` (default true): `false` leaves out the install's Mutating- and
 *   ValidatingWebhookConfigurations (Istio's sidecar injector and validator, PodDefaults,
 *   Pipelines' cache and PipelineVersion webhooks, Katib's). Only for clusters that cannot run the
 *   webhooks' pods (`npm run test:pulumi` on kwok): with failurePolicy Fail, a webhook the API
 *   server cannot reach refuses every later request it matches.
 * - `kubeflowBuildCache`: where the builds are kept between program runs, or `off`
 *   (kubeflow-build-cache.ts). @default $XDG_CACHE_HOME/hybrid-ml-platform/kubeflow-builds
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { KUBEFLOW_MANIFESTS, KUBEFLOW_VERSIONS } from '../../constructs/catalog';
import { ManifestObject } from '../manifests';
import { buildFluxKustomization, KUBEFLOW_MANIFESTS_DIR_ENV, prepareManifestsTree } from '../upstream/kubeflow-build';
import { CustomResources } from './cluster-platform';
import { manifestGroup } from './manifest-group';
import { cachedKubeflowBuilder, parseKubeflowBuildCache } from './kubeflow-build-cache';
import { DeploymentPlan } from './deployment-plan';
import { KubeflowDeployment, KubeflowKustomization, objectKey, splitKubeflowBuild, withSharedMetadata } from './kubeflow-plan';

/** Builds each Kustomization: name -> the objects it delivers. */
export type KubeflowBuilder = (kustomizations: readonly KubeflowKustomization[]) => ReadonlyMap<string, readonly ManifestObject[]>;

/** How the program builds Kubeflow (stack settings `kustomize`, `kubeflowManifests`, `kubeflowWebhooks`). */
export interface KubeflowOptions {
  /** kustomize v5 binary. @default $KUSTOMIZE */
  readonly kustomize?: string;
  /** Folder holding `<tag>/` and `argo-workflows-<ref>/`. @default $HML_KUBEFLOW_MANIFESTS */
  readonly manifestsDir?: string;
  /** Apply the webhook configurations. @default true */
  readonly webhooks?: boolean;
  /** Directory keeping the kustomize builds between program runs. @default none: every run builds */
  readonly buildCache?: string;
  /** Builds the Kustomizations (unit tests). @default kustomize with the two settings above */
  readonly build?: KubeflowBuilder;
}

export const KUSTOMIZE_ENV = 'KUSTOMIZE';

export function parseKubeflowWebhooks(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`config kubeflowWebhooks must be true or false (got "${value}")`);
}

export function kubeflowFromConfig(config: pulumi.Config): KubeflowOptions {
  return {
    kustomize: config.get('kustomize'),
    manifestsDir: config.get('kubeflowManifests'),
    webhooks: parseKubeflowWebhooks(config.get('kubeflowWebhooks')),
    buildCache: parseKubeflowBuildCache(config.get('kubeflowBuildCache')),
  };
}

/** The kustomize binary and the manifests folder; throws naming the stack setting that is missing. */
export function kubeflowBuildSettings(options: KubeflowOptions, env: NodeJS.ProcessEnv = process.env): { kustomize: string; manifestsDir: string } {
  const kustomize = options.kustomize ?? env[KUSTOMIZE_ENV];
  if (kustomize === undefined || kustomize === '') {
    throw new Error(`Kubeflow is built with kustomize when the program runs: set the stack setting kustomize to a kustomize v5 binary (pulumi config set kustomize /path/to/kustomize), or ${KUSTOMIZE_ENV}`);
  }
  const manifestsDir = options.manifestsDir ?? env[KUBEFLOW_MANIFESTS_DIR_ENV];
  if (manifestsDir === undefined || manifestsDir === '') {
    throw new Error(
      `Kubeflow is built from a local copy of its manifests: set the stack setting kubeflowManifests (pulumi config set kubeflowManifests /path) to a folder holding ` +
        `kubeflow/manifests at ${KUBEFLOW_MANIFESTS.tag} in ${KUBEFLOW_MANIFESTS.tag}/ and argoproj/argo-workflows at ${KUBEFLOW_VERSIONS.argoWorkflows} in argo-workflows-${KUBEFLOW_VERSIONS.argoWorkflows}/, or ${KUBEFLOW_MANIFESTS_DIR_ENV}`,
    );
  }
  return { kustomize, manifestsDir };
}

/** kustomize build of each Kustomization, exactly as Flux builds it, in a temporary copy of the manifests (removed afterwards). */
export function kustomizeBuilder(kustomize: string, manifestsDir: string): KubeflowBuilder {
  return (kustomizations) => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hml-pulumi-kubeflow-'));
    try {
      const tree = prepareManifestsTree(manifestsDir, work);
      return new Map(kustomizations.map((k) => [k.metadata.name, buildFluxKustomization(kustomize, k, tree, work).objects] as const));
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  };
}

/**
 * Builds a cluster's Kubeflow install and returns the plan to apply: where the install and the
 * platform deliver the same object (the kubeflow-system Namespace), the platform's object carries
 * the install's labels and annotations too and the install leaves it to the platform.
 */
export function withKubeflow(plan: DeploymentPlan, options: KubeflowOptions): { plan: DeploymentPlan; kubeflow?: KubeflowDeployment } {
  if (plan.kubeflow === undefined) return { plan };
  const build = options.build ?? (() => {
    const { kustomize, manifestsDir } = kubeflowBuildSettings(options);
    const builder = kustomizeBuilder(kustomize, manifestsDir);
    return options.buildCache === undefined ? builder : cachedKubeflowBuilder(builder, options.buildCache, kustomize, manifestsDir);
  })();
  const platform = [...plan.namespaces, ...plan.platformObjects, ...[...plan.customResources.values()].flat()];
  const deployment = splitKubeflowBuild(plan.kubeflow, build(plan.kubeflow.kustomizations), {
    platformKeys: new Set(platform.map(objectKey)),
    addons: new Set(plan.releases.map((r) => r.addon.id)),
    webhooks: options.webhooks,
  });
  const shared = new Map(deployment.shared.map((o) => [objectKey(o), o]));
  const merge = (o: ManifestObject): ManifestObject => {
    const installed = shared.get(objectKey(o));
    return installed === undefined ? o : withSharedMetadata(o, installed);
  };
  return { plan: { ...plan, namespaces: plan.namespaces.map(merge), platformObjects: plan.platformObjects.map(merge) }, kubeflow: deployment };
}

/** Pulumi type token of the component. */
export const KUBEFLOW_INSTALL_TYPE = 'hybrid-ml-platform:stacks:KubeflowInstall';

export interface KubeflowInstallArgs {
  readonly deployment: KubeflowDeployment;
  readonly provider: k8s.Provider;
  /** What the whole install waits for (the platform's namespaces). */
  readonly dependsOn: readonly pulumi.Resource[];
  /** The cluster's add-on releases by id (custom resources of an add-on's CRDs wait for it). */
  readonly releases: ReadonlyMap<string, pulumi.Resource>;
}

/**
 * Kubeflow on one cluster. Per Kustomization, after every Kustomization it depends on: its CRDs and
 * Namespaces (a ConfigGroup), then its objects of built-in kinds (a ConfigGroup), and its objects of
 * CRD kinds as CustomResources (a ConfigGroup cannot register a kind a fresh cluster does not know
 * yet). Then the platform's objects of Kubeflow kinds (team Profiles, PodDefaults).
 */
export class KubeflowInstall extends pulumi.ComponentResource {
  /** Objects applied (the install's, less those left out, plus the platform's of Kubeflow kinds). */
  readonly objectCount: number;

  constructor(name: string, args: KubeflowInstallArgs, opts?: pulumi.ComponentResourceOptions) {
    super(KUBEFLOW_INSTALL_TYPE, name, {}, opts);
    const { deployment, provider } = args;
    const child = { parent: this, provider };
    const applied = new Map<string, pulumi.Resource[]>();
    for (const k of deployment.kustomizations) {
      const after = [...args.dependsOn, ...k.dependsOn.flatMap((d) => applied.get(d) ?? [])];
      const resources: pulumi.Resource[] = [];
      const first = k.first.length > 0 ? [manifestGroup(`${name}-${k.name}-crds-namespaces`, k.first, { ...child, dependsOn: after })] : after;
      if (k.first.length > 0) resources.push(...first);
      if (k.objects.length > 0) resources.push(manifestGroup(`${name}-${k.name}-objects`, k.objects, { ...child, dependsOn: first }));
      if (k.customResources.length > 0) {
        const releases = k.addons.map((a) => args.releases.get(a)).filter((r): r is pulumi.Resource => r !== undefined);
        resources.push(new CustomResources(`${name}-${k.name}-resources`, { objs: k.customResources, provider, dependsOn: [...first, ...releases] }, { parent: this }));
      }
      applied.set(k.name, resources.length > 0 ? resources : after);
    }
    if (deployment.resources.length > 0) {
      new CustomResources(`${name}-platform-resources`, { objs: deployment.resources, provider, dependsOn: [...args.dependsOn, ...[...applied.values()].flat()] }, { parent: this });
    }
    this.objectCount = deployment.kustomizations.reduce((n, k) => n + k.first.length + k.objects.length + k.customResources.length, 0) + deployment.resources.length;
    this.registerOutputs({ objectCount: this.objectCount });
  }
}
