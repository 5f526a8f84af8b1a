import { AddonDefinition, ADDONS } from '../constructs/catalog';
import { clusterPolicyValues } from '../constructs/gpu-sharing-config';
import { kueueManagerConfig } from '../constructs/kueue-config';
import { ClusterSpec, PlatformSpec } from '../environments';

/** Add-ons an environment turns on, in catalog order, with their dependencies checked. */
export function selectAddons(spec: PlatformSpec): AddonDefinition[] {
  const selected: AddonDefinition[] = ADDONS.filter((a) => spec.components[a.component]);
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
  switch (addon.id) {
    case 'kueue': {
      const dispatches = cluster.role === 'primary' && spec.clusters.some((c) => c.role === 'burst');
      return mergeValues(addon.defaultValues, { managerConfig: { controllerManagerConfigYaml: kueueManagerConfig({ multiKueue: dispatches }) } });
    }
    case 'gpu-operator':
      return mergeValues(addon.defaultValues, clusterPolicyValues(cluster));
    default:
      return { ...addon.defaultValues };
  }
}
