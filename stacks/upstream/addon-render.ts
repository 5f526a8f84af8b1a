import { AddonDefinition, CLUSTER_PROVIDED_CRD_GROUPS, KUBEFLOW_CRD_GROUPS } from '../../constructs/catalog';
import { ClusterSpec, PlatformSpec } from '../../environments';
import { addonsFor, clusterValues } from '../addon-selection';
import { ManifestObject } from '../manifests';
import { ChartRepository, chartLocation } from './chart-repository';
import { helmTemplate } from './helm-template';

/** What rendering the add-on charts of a cluster needs: helm, where the charts are, and the CRDs the cluster will serve. */
export interface RenderContext {
  readonly helm: string;
  readonly charts: ChartRepository;
  /** Every CRD that could be on a cluster (the repository's test/fixtures/crds); each cluster takes the groups it gets. */
  readonly crds: readonly ManifestObject[];
  /** The kustomize binary, for the Kubeflow manifests. */
  readonly kustomize: string;
  /** The local copy of the Kubeflow manifests release (a folder holding `<tag>/` and the argo remote bases). */
  readonly kubeflowManifests: string;
}

/** One add-on release rendered for one cluster. */
export interface RenderedRelease {
  readonly addon: AddonDefinition;
  readonly values: Record<string, unknown>;
  readonly objects: readonly ManifestObject[];
}

interface CrdShape {
  readonly spec: { readonly group: string; readonly names: { readonly kind: string }; readonly versions: readonly { readonly name: string; readonly served: boolean }[] };
}

/** The API versions a cluster's CRDs add (group/version and group/version/Kind), which charts test with .Capabilities.APIVersions.Has. */
export function crdApiVersions(spec: PlatformSpec, cluster: ClusterSpec, crds: readonly ManifestObject[]): string[] {
  const groups = new Set<string>([...addonsFor(spec, cluster).flatMap((a) => a.crdGroups), ...CLUSTER_PROVIDED_CRD_GROUPS]);
  if (spec.components.kubeflow && cluster.role === 'primary') for (const g of KUBEFLOW_CRD_GROUPS) groups.add(g);
  const out = new Set<string>();
  for (const crd of crds as unknown as readonly CrdShape[]) {
    if (!groups.has(crd.spec.group)) continue;
    for (const v of crd.spec.versions.filter((x) => x.served)) {
      out.add(`${crd.spec.group}/${v.name}`);
      out.add(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`);
    }
  }
  return [...out].sort();
}

/** The Kubernetes version helm renders for: the cluster's minor, patch 0. */
export const helmKubeVersion = (cluster: ClusterSpec): string => `v${cluster.kubernetesVersion}.0`;

/** `helm template` of one add-on with exactly the values both deliveries hand it (stacks/addon-selection.ts). */
export function renderRelease(ctx: RenderContext, spec: PlatformSpec, cluster: ClusterSpec, addon: AddonDefinition): RenderedRelease {
  const values = clusterValues(addon, spec, cluster);
  const where = chartLocation(ctx.charts, addon.chart);
  const objects = helmTemplate({
    helm: ctx.helm,
    ...where,
    release: addon.id,
    namespace: addon.namespace,
    values,
    noHooks: addon.hooks?.disabled === true,
    kubeVersion: helmKubeVersion(cluster),
    apiVersions: crdApiVersions(spec, cluster, ctx.crds),
  });
  return { addon, values, objects };
}

/** Every add-on release of a cluster, rendered, in catalog order. */
export function renderClusterReleases(ctx: RenderContext, spec: PlatformSpec, cluster: ClusterSpec): RenderedRelease[] {
  return addonsFor(spec, cluster).map((a) => renderRelease(ctx, spec, cluster, a));
}
