import { AddonDefinition, ADDONS, IMAGE_SLOTS, ImageSlot } from '../constructs/catalog';
import { endpointHost, mirrorImage, mirrorProject, mirrorRegistry, mirrorRepository, parseImage } from '../constructs/supply-chain/image-mirror';
import { workflowNamespaceName } from '../constructs/tenancy/platform-namespaces';
import { clusterPolicyValues } from '../constructs/gpu/gpu-sharing-config';
import { draDriverValues } from '../constructs/gpu/dra-driver-values';
import { isDraPool } from '../constructs/gpu/dra-allocation';
import { kueueConfigOptions, kueueManagerConfig } from '../constructs/queues/kueue-config';
import { kubePrometheusStackValues, openCostValues } from '../constructs/observability/stack-values';
import { ClusterSpec, clusterStages, PlatformSpec } from '../environments';

/** Add-ons an environment turns on, in catalog order, with their dependencies checked. */
export function selectAddons(spec: PlatformSpec): AddonDefinition[] {
  const catalog: readonly AddonDefinition[] = ADDONS;
  const selected = catalog.filter((a) => spec.components[a.component] && (a.kubeflowComponent === undefined || spec.kubeflow.components.includes(a.kubeflowComponent)));
  const ids = new Set(selected.map((a) => a.id));
  const problems: string[] = [];
  for (const a of selected) {
    for (const dep of a.dependsOn) {
      if (!ids.has(dep)) {
        const needed = ADDONS.find((x) => x.id === dep);
        problems.push(`${spec.name}: components.${a.component} needs components.${needed?.component ?? dep} (${a.id} depends on ${dep}); turn ${needed?.component ?? dep} on or ${a.component} off`);
      }
    }
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return selected;
}

/** The enabled add-ons a cluster gets (some, like Harbor, only on some providers; the DRA driver only beside a DRA pool). */
export function addonsFor(spec: PlatformSpec, cluster: ClusterSpec): AddonDefinition[] {
  const hasDraPool = cluster.gpuPools.some((p) => p.enabled && isDraPool(p));
  return selectAddons(spec)
    .filter((a) => a.providers === undefined || a.providers.includes(cluster.provider))
    .filter((a) => a.roles === undefined || a.roles.includes(cluster.role))
    .filter((a) => a.onlyWith !== 'dra-pool' || hasDraPool);
}

/**
 * Trivy Operator scans the team namespaces; reports expire after the spec's interval so running
 * images are re-scanned against new advisories. Behind a mirror, scans pull through it too.
 */
function trivyValues(spec: PlatformSpec, cluster: ClusterSpec): Record<string, unknown> {
  const namespaces = spec.teams.flatMap((t) => clusterStages(spec, cluster).map((s) => workflowNamespaceName(t.name, s)));
  const values: Record<string, unknown> = { targetNamespaces: namespaces.join(','), operator: { scannerReportTTL: `${spec.images.rescanIntervalHours}h` } };
  if (!spec.images.mirror) return values;
  const mirrorHost = endpointHost(cluster.registry.endpoint);
  const upstreams = [...new Set(ADDONS.flatMap((a) => a.images.map((i) => parseImage(i).host)))].sort();
  return mergeValues(values, { trivy: { registry: { mirror: Object.fromEntries(upstreams.map((h) => [h, `${mirrorHost}/${mirrorProject(h)}`])) } } });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge of plain objects; arrays and scalars from `over` replace those of `base`. */
export function mergeValues(base: Readonly<Record<string, unknown>>, over: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isRecord(b) && isRecord(v) ? mergeValues(b, v) : v;
  }
  return out;
}

/**
 * Values that depend on the cluster, merged over the catalog defaults. Cloud GPU images ship the
 * driver (EKS/AKS/GKE accelerated AMIs), on-prem nodes get it from the operator.
 */
export function clusterValues(addon: AddonDefinition, spec: PlatformSpec, cluster: ClusterSpec): Record<string, unknown> {
  const values = componentValues(addon, spec, cluster);
  // Harbor is the mirror itself: it starts from the seed registry, never from itself.
  return spec.images.mirror && addon.id !== 'harbor' ? mergeValues(values, mirrorValues(IMAGE_SLOTS[addon.id] ?? [], endpointHost(cluster.registry.endpoint))) : values;
}

/** Values that point every image slot of a chart at the mirror. */
export function mirrorValues(slots: readonly ImageSlot[], mirrorHost: string): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const slot of slots) {
    const value = slot.kind === 'repository' ? mirrorRepository(slot.upstream, mirrorHost) : slot.kind === 'image' ? mirrorImage(slot.upstream, mirrorHost) : mirrorRegistry(slot.upstream, mirrorHost);
    const keys = slot.path.split('.');
    const nested = keys.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
    out = mergeValues(out, nested);
  }
  return out;
}

function componentValues(addon: AddonDefinition, spec: PlatformSpec, cluster: ClusterSpec): Record<string, unknown> {
  switch (addon.id) {
    case 'trivy-operator':
      return mergeValues(addon.defaultValues, trivyValues(spec, cluster));
    case 'harbor': {
      const host = endpointHost(cluster.registry.endpoint);
      return mergeValues(addon.defaultValues, { externalURL: `https://${host}`, expose: { tls: { auto: { commonName: host } } } });
    }
    case 'kueue': {
      return mergeValues(addon.defaultValues, { managerConfig: { controllerManagerConfigYaml: kueueManagerConfig(kueueConfigOptions(spec, cluster)) } });
    }
    case 'dra-driver-nvidia-gpu':
      return mergeValues(addon.defaultValues, draDriverValues(cluster));
    case 'gpu-operator':
      return mergeValues(addon.defaultValues, clusterPolicyValues(cluster));
    case 'kube-prometheus-stack':
      return mergeValues(addon.defaultValues, kubePrometheusStackValues(spec.observability));
    case 'opencost':
      return mergeValues(addon.defaultValues, openCostValues(cluster.name));
    case 'kserve-llmisvc': {
      // One owner for KServe's shared objects (inferenceservice-config, selfsigned-issuer, the default ClusterStorageContainer): the kserve release when Kubeflow's KServe is on.
      const kserveOn = addonsFor(spec, cluster).some((a) => a.id === 'kserve');
      return mergeValues(addon.defaultValues, { kserve: { createSharedResources: !kserveOn } });
    }
    default:
      return { ...addon.defaultValues };
  }
}
