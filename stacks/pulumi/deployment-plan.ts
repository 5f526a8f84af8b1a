import { AddonDefinition, crdOwner, installedBefore } from '../../constructs/catalog';
import { hostsLlmServing } from '../../constructs/serving/llm-serving-plan';
import { ClusterSpec, clusterStages, PlatformSpec } from '../../environments';
import { addonsFor, clusterValues, selectAddons } from '../addon-selection';
import { apiGroupOf, ManifestObject, renderEnvironment } from '../manifests';
import { KubeflowPlan, ofKubeflowCrds, planKubeflow } from './kubeflow-plan';

/** One Helm release the Pulumi program installs, with the releases it waits for. */
export interface PlannedRelease {
  readonly addon: AddonDefinition;
  readonly values: Record<string, unknown>;
  readonly dependsOn: readonly string[];
}

/** What `pulumi up` applies to one cluster, in order. Pure: the ComponentResource only renders it. */
export interface DeploymentPlan {
  readonly cluster: ClusterSpec;
  /** Where every chart is pulled from instead of its upstream repository (images.chartMirror). @default upstream */
  readonly chartMirror?: string;
  readonly namespaces: readonly ManifestObject[];
  readonly releases: readonly PlannedRelease[];
  /** Plain Kubernetes objects: need the namespaces only. */
  readonly platformObjects: readonly ManifestObject[];
  /** The Gateway API CRDs go on this cluster (it hosts LLM serving), as the Flux delivery's Kustomization puts them. */
  readonly gatewayApiCrds: boolean;
  /** Objects of add-on CRDs, grouped by the add-on that brings the CRD. */
  readonly customResources: ReadonlyMap<string, readonly ManifestObject[]>;
  /** Kubeflow's kustomize parts (the Flux Kustomizations of the cdk8s output) and the platform's objects of Kubeflow kinds; primary clusters only. */
  readonly kubeflow?: KubeflowPlan;
}

/** The add-on whose chart installs the CRD of an object, if any (by group, and by kind where a group is shared). */
export function providingAddon(obj: ManifestObject): AddonDefinition | undefined {
  return crdOwner(apiGroupOf(obj.apiVersion), obj.kind);
}

/** Plans every cluster of an environment: the same objects `cdk8s synth` writes, minus Flux (Kubeflow's Flux Kustomizations become `kubeflow`). */
export function planEnvironment(spec: PlatformSpec): DeploymentPlan[] {
  selectAddons(spec);
  return renderEnvironment(spec, { addonDelivery: 'external' }).map(({ cluster, files }) => {
    const addons = addonsFor(spec, cluster);
    const enabled = new Set(addons.map((a) => a.id));
    const objects = files.flatMap((f) => f.objects);
    const namespaces = objects.filter((o) => o.kind === 'Namespace' && o.apiVersion === 'v1');
    const kubeflow = planKubeflow(spec, cluster, objects);
    const rest = objects.filter((o) => !namespaces.includes(o) && !ofKubeflowCrds(o));
    const customResources = new Map<string, ManifestObject[]>();
    const platformObjects: ManifestObject[] = [];
    for (const obj of rest) {
      const provider = providingAddon(obj);
      if (provider === undefined) {
        platformObjects.push(obj);
      } else if (!enabled.has(provider.id)) {
        throw new Error(`${spec.name}/${cluster.name}: ${obj.kind} ${obj.metadata.name} needs the CRDs of ${provider.id}, which components.${provider.component} turns off`);
      } else {
        customResources.set(provider.id, [...(customResources.get(provider.id) ?? []), obj]);
      }
    }
    const releases = addons.map((addon) => ({ addon, values: clusterValues(addon, spec, cluster), dependsOn: installedBefore(addon).filter((d) => enabled.has(d)) }));
    const gatewayApiCrds = hostsLlmServing(spec, cluster, clusterStages(spec, cluster));
    return { cluster, chartMirror: spec.images.chartMirror, namespaces, releases, platformObjects, gatewayApiCrds, customResources, ...(kubeflow !== undefined ? { kubeflow } : {}) };
  });
}
