import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { DeploymentPlan } from './deployment-plan';

export interface ClusterPlatformArgs {
  /** What to deploy (see planEnvironment). */
  readonly plan: DeploymentPlan;
  /** The cluster's provider: every child is created through it. */
  readonly provider: k8s.Provider;
}

/** Pulumi type token of the component. */
export const CLUSTER_PLATFORM_TYPE = 'hybrid-ml-platform:stacks:ClusterPlatform';

/** Helm's chart reference for a catalog entry: OCI charts are addressed by URL, others by repo + name. */
function chartSource(plan: DeploymentPlan['releases'][number]): Pick<k8s.helm.v3.ReleaseArgs, 'chart' | 'repositoryOpts'> {
  const { chart } = plan.addon;
  return chart.repository.startsWith('oci://')
    ? { chart: `${chart.repository}/${chart.name}` }
    : { chart: chart.name, repositoryOpts: { repo: chart.repository } };
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

    const namespaces = new k8s.yaml.v2.ConfigGroup(`${name}-namespaces`, { objs: [...plan.namespaces] }, child);

    const releases = new Map<string, k8s.helm.v3.Release>();
    for (const release of plan.releases) {
      const deps: pulumi.Resource[] = [namespaces, ...release.dependsOn.map((d) => releases.get(d)).filter((r): r is k8s.helm.v3.Release => r !== undefined)];
      releases.set(
        release.addon.id,
        new k8s.helm.v3.Release(
          `${name}-${release.addon.id}`,
          {
            name: release.addon.id,
            namespace: release.addon.namespace,
            createNamespace: false,
            ...chartSource(release),
            version: release.addon.chart.version,
            values: release.values,
            atomic: true,
          },
          { ...child, dependsOn: deps },
        ),
      );
    }

    new k8s.yaml.v2.ConfigGroup(`${name}-platform`, { objs: [...plan.platformObjects] }, { ...child, dependsOn: [namespaces] });

    for (const [addonId, objs] of [...plan.customResources].sort(([a], [b]) => a.localeCompare(b))) {
      const release = releases.get(addonId);
      new k8s.yaml.v2.ConfigGroup(`${name}-${addonId}-resources`, { objs: [...objs] }, { ...child, dependsOn: release === undefined ? [namespaces] : [namespaces, release] });
    }

    this.releaseNames = [...releases.values()].map((r) => r.name);
    this.objectCount = plan.namespaces.length + plan.platformObjects.length + [...plan.customResources.values()].reduce((n, o) => n + o.length, 0);
    this.registerOutputs({ releaseNames: this.releaseNames, objectCount: this.objectCount });
  }
}
