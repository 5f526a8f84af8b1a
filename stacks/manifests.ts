import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { addon, ADDONS, CLUSTER_PROVIDED_CRD_GROUPS, GITOPS, KUBEFLOW_CRD_GROUPS, LLM_SERVING } from '../constructs/catalog';
import { endpointHost, mirrorImage } from '../constructs/supply-chain/image-mirror';
import { ClusterSpec, PlatformSpec } from '../environments';
import { MlPlatform } from './ml-platform';

/** A Kubernetes object as synthesized. */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [field: string]: unknown;
}

export interface ManifestFile {
  /** File name inside dist/<env>/<cluster>/; the number prefix is the apply order. */
  readonly name: string;
  readonly objects: readonly ManifestObject[];
}

export interface ClusterManifests {
  readonly cluster: ClusterSpec;
  readonly files: readonly ManifestFile[];
}

export const apiGroupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

const GITOPS_GROUPS = new Set([apiGroupOf(GITOPS.sourceApiVersion), apiGroupOf(GITOPS.helmApiVersion)]);
const CUSTOM_RESOURCE_GROUPS = new Set<string>([...ADDONS.flatMap((a) => a.crdGroups), ...CLUSTER_PROVIDED_CRD_GROUPS, ...KUBEFLOW_CRD_GROUPS, ...LLM_SERVING.crdGroups]);

/**
 * Apply order: namespaces, then add-on delivery (which brings the CRDs), then plain Kubernetes
 * objects, then custom resources (their CRDs come from an add-on or with the cluster).
 */
const PHASES: readonly { readonly file: string; readonly holds: (o: ManifestObject) => boolean }[] = [
  { file: '00-namespaces.yaml', holds: (o) => o.kind === 'Namespace' && apiGroupOf(o.apiVersion) === '' },
  { file: '10-addons.yaml', holds: (o) => GITOPS_GROUPS.has(apiGroupOf(o.apiVersion)) },
  { file: '30-custom-resources.yaml', holds: (o) => CUSTOM_RESOURCE_GROUPS.has(apiGroupOf(o.apiVersion)) },
  { file: '20-platform.yaml', holds: () => true },
];

/** Splits objects into the ordered files; construct order is kept inside each file. */
export function phaseFiles(objects: readonly ManifestObject[]): ManifestFile[] {
  const buckets = new Map<string, ManifestObject[]>(PHASES.map((p) => [p.file, []]));
  for (const o of objects) {
    const phase = PHASES.find((p) => p.holds(o)) as (typeof PHASES)[number];
    (buckets.get(phase.file) as ManifestObject[]).push(o);
  }
  return [...buckets].filter(([, objs]) => objs.length > 0).map(([name, objs]) => ({ name, objects: objs })).sort((a, b) => a.name.localeCompare(b.name));
}

export interface RenderOptions {
  /** See MlPlatformProps.addonDelivery. @default 'flux' */
  readonly addonDelivery?: 'flux' | 'external';
}

/** Every cluster of an environment as ordered manifest files. Pure: writes nothing. */
export function renderEnvironment(spec: PlatformSpec, options: RenderOptions = {}): ClusterManifests[] {
  const app = new App({ outdir: 'unused' });
  return spec.clusters.map((cluster) => {
    const chart = new MlPlatform(app, cluster.name, { spec, cluster, addonDelivery: options.addonDelivery });
    const objects = chart.toJson() as ManifestObject[];
    const mirrored = spec.images.mirror ? objects.map((o) => mirrorPodImages(o, endpointHost(cluster.registry.endpoint))) : objects;
    return { cluster, files: phaseFiles(mirrored) };
  });
}

/** Namespace whose pods never pull through the mirror: Harbor is the mirror. */
const MIRROR_EXEMPT_NAMESPACES = new Set([addon('harbor').namespace]);

/** Rewrites every container image of an object's pod specs to the mirror. */
export function mirrorPodImages(obj: ManifestObject, mirrorHost: string): ManifestObject {
  if (MIRROR_EXEMPT_NAMESPACES.has(obj.metadata.namespace ?? '')) return obj;
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    const isPodSpec = Array.isArray((value as Record<string, unknown>).containers);
    for (const [k, v] of Object.entries(value)) {
      out[k] = isPodSpec && ['containers', 'initContainers', 'ephemeralContainers'].includes(k) && Array.isArray(v)
        ? v.map((c: Record<string, unknown>) => (typeof c.image === 'string' ? { ...c, image: mirrorImage(c.image, mirrorHost) } : c))
        : rewrite(v);
    }
    return out;
  };
  return rewrite(obj) as ManifestObject;
}

/**
 * Multi-document YAML, stable byte for byte for the same objects. Strings are quoted by YAML 1.1's
 * rules: kubectl and every Go client read YAML 1.1, where a bare `on`/`off`/`yes`/`no` is a boolean
 * (gpu-operator's `ccManager.defaultMode: "on"` became `true` and the API server refused it).
 */
export function toYaml(objects: readonly ManifestObject[]): string {
  return objects.map((o) => YAML.stringify(o, { lineWidth: 0, aliasDuplicateObjects: false, version: '1.1' })).join('---\n');
}
