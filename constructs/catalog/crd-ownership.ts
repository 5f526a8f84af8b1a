import { AddonDefinition, ADDONS } from './addons';

/**
 * Which add-on brings the CRD of an object's kind. Mostly one API group is one chart's, but
 * KServe splits serving.kserve.io over two charts (kserve-crd and kserve-llmisvc-crd): there the
 * kind decides, so an LLMInferenceServiceConfig waits for the chart that defines it.
 */
export function crdOwner(group: string, kind: string, addons: readonly AddonDefinition[] = ADDONS): AddonDefinition | undefined {
  const ofGroup = addons.filter((a) => (a.crdGroups as readonly string[]).includes(group));
  return ofGroup.find((a) => a.crdKinds?.includes(kind) === true) ?? ofGroup.find((a) => a.crdKinds === undefined);
}

/** Groups more than one add-on lists, each with the add-ons that list it. */
export function sharedCrdGroups(addons: readonly AddonDefinition[] = ADDONS): Map<string, AddonDefinition[]> {
  const byGroup = new Map<string, AddonDefinition[]>();
  for (const a of addons) for (const g of a.crdGroups) byGroup.set(g, [...(byGroup.get(g) ?? []), a]);
  return new Map([...byGroup].filter(([, owners]) => owners.length > 1));
}
