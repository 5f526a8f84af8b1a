import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { AddonDefinition } from '../../constructs/catalog';
import { PREREQUISITE_CRD_GROUPS } from './prerequisite-crds';
import { GatewayApiCrds, gatewayApiCrdsSource, ofGatewayApi } from './gateway-api-crds';
import { chartSource, helmChartArgs } from '../../constructs/delivery/chart-source';
import { apiGroupOf, ManifestObject } from '../manifests';
import { CLUSTER_CRDS_RELEASE, CrdInstallPlan, standInChart, writeStandInChart } from './addon-install';
import { DeploymentPlan, PlannedRelease } from './deployment-plan';
import { KubeflowInstall } from './kubeflow-install';
import { KubeflowDeployment } from './kubeflow-plan';
import { manifestGroup } from './manifest-group';
import { localChartArchive } from '../upstream/chart-repository';

export interface ClusterPlatformArgs {
  /** What to deploy (see planEnvironment). */
  readonly plan: DeploymentPlan;
  /** The cluster's provider: every child is created through it. */
  readonly provider: k8s.Provider;
  /**
   * Stack setting `addonInstall: crds-only` (offline test clusters): each release installs a local
   * stand-in chart holding only these CRDs, and one more release the cluster-provided CRDs, before
   * the platform objects. @default the catalog's charts
   */
  readonly crdsOnly?: CrdInstallPlan;
  /** With crdsOnly: add-ons that install their real chart all the same (stack setting `realCharts`). @default none */
  readonly realCharts?: ReadonlySet<string>;
  /** A Helm chart repository on disk to install the real charts from (stack setting `chartDirectory`). @default the chart mirror or the upstream repositories */
  readonly chartDirectory?: string;
  /** Path or URL of the Gateway API CRD manifest, where the plan puts them (gatewayApiCrdsSource). @default the pinned release's standard-install.yaml */
  readonly gatewayApiCrds?: string;
  /** Kubeflow's kustomize parts, built (see withKubeflow in kubeflow-install.ts). @default none */
  readonly kubeflow?: KubeflowDeployment;
}

/** Pulumi type token of the component. */
export const CLUSTER_PLATFORM_TYPE = 'hybrid-ml-platform:stacks:ClusterPlatform';
/** Pulumi type token of a group of custom resources (objects of CRDs an add-on or the cluster brings). */
export const CUSTOM_RESOURCES_TYPE = 'hybrid-ml-platform:stacks:CustomResources';

/**
 * Objects of CRD kinds, one `apiextensions.CustomResource` each. Not a yaml/v2 ConfigGroup: a
 * ConfigGroup must know whether each kind is namespaced when it is registered, which a fresh
 * cluster cannot tell before the release that brings the CRD is installed (`pulumi preview` failed
 * with "failed to determine if the following GVK is namespaced").
 */
export class CustomResources extends pulumi.ComponentResource {
  constructor(name: string, args: { objs: readonly ManifestObject[]; provider: k8s.Provider; dependsOn: pulumi.Resource[] }, opts?: pulumi.ComponentResourceOptions) {
    super(CUSTOM_RESOURCES_TYPE, name, {}, opts);
    for (const obj of args.objs) {
      const { apiVersion, kind, metadata, ...fields } = obj;
      const id = metadata.namespace === undefined ? metadata.name : `${metadata.namespace}/${metadata.name}`;
      new k8s.apiextensions.CustomResource(`${name}:${kind}:${id}`, { apiVersion, kind, metadata, ...fields }, { parent: this, provider: args.provider, dependsOn: args.dependsOn });
    }
    this.registerOutputs({ count: args.objs.length });
  }
}

/**
 * Helm's chart reference for a catalog entry: the pinned archive in a chart directory on disk, else
 * from the chart mirror when the spec names one, else upstream (OCI charts by URL, others by repo + name).
 */
function releaseChart(plan: PlannedRelease, chartMirror: string | undefined, chartDirectory: string | undefined): Pick<k8s.helm.v3.ReleaseArgs, 'chart' | 'repositoryOpts' | 'version'> {
  // An archive path names its version already.
  if (chartDirectory !== undefined) return { chart: localChartArchive(chartDirectory, plan.addon.chart) };
  const { chart, repo } = helmChartArgs(chartSource(plan.addon.chart, chartMirror));
  return { chart, version: plan.addon.chart.version, ...(repo === undefined ? {} : { repositoryOpts: { repo } }) };
}

/**
 * Whether `pulumi up` waits for a release: where later objects need the add-on running (catalog
 * `readinessGates`: its webhooks or APIs answer for them), and where the chart applies its CRDs as
 * templates (`crdsInTemplates`): Helm establishes crds/ before the rest on its own, but template
 * CRDs only when it waits, and objects of those kinds follow the release at once. Atomic implies
 * the wait (Helm rolls back a release that never becomes ready), so the others are neither.
 */
export function releaseWait(addon: Pick<AddonDefinition, 'readinessGates' | 'crdsInTemplates'>): Pick<k8s.helm.v3.ReleaseArgs, 'atomic' | 'skipAwait'> {
  const wait = addon.readinessGates !== undefined || addon.crdsInTemplates === true;
  return wait ? { atomic: true, skipAwait: false } : { atomic: false, skipAwait: true };
}

/**
 * The platform on one cluster: namespaces, then the add-ons as Helm releases in catalog dependency
 * order, then the platform's own objects; objects of an add-on's CRDs wait for that release.
 */
export class ClusterPlatform extends pulumi.ComponentResource {
  /** Names of the Helm releases installed. */
  readonly releaseNames: pulumi.Output<string>[];
  /** Number of platform objects applied (namespaces, platform objects and custom resources). */
  readonly objectCount: number;

  constructor(name: string, args: ClusterPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super(CLUSTER_PLATFORM_TYPE, name, {}, opts);
    const { plan, provider } = args;
    const child = { parent: this, provider };

    const namespaces = manifestGroup(`${name}-namespaces`, plan.namespaces, child);

    const { crdsOnly } = args;
    const releases = new Map<string, k8s.helm.v3.Release>();
    for (const release of plan.releases) {
      const deps: pulumi.Resource[] = [namespaces, ...release.dependsOn.map((d) => releases.get(d)).filter((r): r is k8s.helm.v3.Release => r !== undefined)];
      const standIn = crdsOnly !== undefined && args.realCharts?.has(release.addon.id) !== true;
      const source = standIn
        ? { chart: writeStandInChart(standInChart(release.addon, crdsOnly.byAddon.get(release.addon.id) ?? [])), version: release.addon.chart.version }
        : releaseChart(release, plan.chartMirror, args.chartDirectory);
      releases.set(
        release.addon.id,
        new k8s.helm.v3.Release(
          `${name}-${release.addon.id}`,
          {
            name: release.addon.id,
            namespace: release.addon.namespace,
            createNamespace: false,
            ...source,
            values: release.values,
            ...releaseWait(release.addon),
            // The catalog says why an add-on's hooks stay out (addon.hooks.reason).
            ...(release.addon.hooks?.disabled === true ? { disableWebhooks: true } : {}),
          },
          { ...child, dependsOn: deps },
        ),
      );
    }

    // crds-only: the CRDs cluster provisioning brings (Karpenter, Cluster API, ...) before the platform objects.
    const clusterCrds: pulumi.Resource[] = crdsOnly !== undefined && crdsOnly.cluster.length > 0
      ? [
          new k8s.helm.v3.Release(
            `${name}-${CLUSTER_CRDS_RELEASE.name}`,
            {
              name: CLUSTER_CRDS_RELEASE.name,
              namespace: CLUSTER_CRDS_RELEASE.namespace,
              createNamespace: false,
              chart: writeStandInChart({ name: CLUSTER_CRDS_RELEASE.name, version: CLUSTER_CRDS_RELEASE.version, crds: crdsOnly.cluster }),
              version: CLUSTER_CRDS_RELEASE.version,
              atomic: true,
            },
            child,
          ),
        ]
      : [];
    // Objects of the CRDs cluster provisioning brings (Karpenter, Cluster API, ...) are custom resources too.
    const clusterGroups = new Set<string>(PREREQUISITE_CRD_GROUPS);
    const ofClusterCrds = (o: ManifestObject): boolean => clusterGroups.has(apiGroupOf(o.apiVersion));
    manifestGroup(`${name}-platform`, plan.platformObjects.filter((o) => !ofClusterCrds(o) && !ofGatewayApi(o)), { ...child, dependsOn: [namespaces] });
    // The Gateway API CRDs, then the Gateway and routes (custom resources: a fresh cluster cannot say yet whether they are namespaced).
    const gatewayObjects = plan.platformObjects.filter(ofGatewayApi);
    const gatewayCrds = plan.gatewayApiCrds ? [new GatewayApiCrds(`${name}-gateway-api-crds`, { source: gatewayApiCrdsSource(args.gatewayApiCrds), provider }, { parent: this })] : [];
    if (gatewayObjects.length > 0) {
      if (gatewayCrds.length === 0) throw new Error(`${plan.cluster.name}: Gateway API objects (${gatewayObjects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}) on a cluster that gets no Gateway API CRDs`);
      new CustomResources(`${name}-gateway-api-resources`, { objs: gatewayObjects, provider, dependsOn: [namespaces, ...gatewayCrds] }, { parent: this });
    }
    const clusterResources = plan.platformObjects.filter(ofClusterCrds);
    if (clusterResources.length > 0) {
      new CustomResources(`${name}-cluster-resources`, { objs: clusterResources, provider, dependsOn: [namespaces, ...clusterCrds] }, { parent: this });
    }

    for (const [addonId, objs] of [...plan.customResources].sort(([a], [b]) => a.localeCompare(b))) {
      const release = releases.get(addonId);
      new CustomResources(`${name}-${addonId}-resources`, { objs, provider, dependsOn: release === undefined ? [namespaces] : [namespaces, release] }, { parent: this });
    }

    const kubeflow = args.kubeflow === undefined ? undefined : new KubeflowInstall(`${name}-kubeflow`, { deployment: args.kubeflow, provider, dependsOn: [namespaces], releases }, { parent: this });

    this.releaseNames = [...releases.values()].map((r) => r.name);
    this.objectCount = plan.namespaces.length + plan.platformObjects.length + [...plan.customResources.values()].reduce((n, o) => n + o.length, 0) + (kubeflow?.objectCount ?? 0);
    this.registerOutputs({ releaseNames: this.releaseNames, objectCount: this.objectCount });
  }
}
