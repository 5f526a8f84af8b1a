import { AddonDefinition, ADDONS, crdOwner, sharedCrdGroups } from '../../../constructs/catalog';

const addon = (id: string, crdGroups: string[], crdKinds?: string[]): AddonDefinition => ({ ...ADDONS[0], id, crdGroups, ...(crdKinds === undefined ? {} : { crdKinds }) });

describe('crdOwner', () => {
  it('gives a shared group to the add-on naming the kind, and its other kinds to the one listing the group without kinds', () => {
    expect(crdOwner('serving.kserve.io', 'LLMInferenceServiceConfig')?.id).toBe('kserve-llmisvc-crd');
    expect(crdOwner('serving.kserve.io', 'LLMInferenceService')?.id).toBe('kserve-llmisvc-crd');
    expect(crdOwner('serving.kserve.io', 'ClusterServingRuntime')?.id).toBe('kserve-crd');
    expect(crdOwner('serving.kserve.io', 'InferenceService')?.id).toBe('kserve-crd');
  });

  it('finds no owner for a group no add-on lists, nor for an unnamed kind of a group every owner names kinds of', () => {
    expect(crdOwner('example.com', 'Widget')).toBeUndefined();
    expect(crdOwner('g.example.com', 'Other', [addon('a', ['g.example.com'], ['One']), addon('b', ['g.example.com'], ['Two'])])).toBeUndefined();
  });

  it('leaves each shared group of the catalog to exactly one add-on without kinds, and no kind to two', () => {
    const shared = sharedCrdGroups();
    expect([...shared.keys()]).toEqual(['serving.kserve.io']);
    for (const [group, owners] of shared) {
      expect(owners.filter((a) => a.crdKinds === undefined).map((a) => a.id)).toHaveLength(1);
      const kinds = owners.flatMap((a) => [...(a.crdKinds ?? [])]);
      expect(new Set(kinds).size).toBe(kinds.length);
      expect(group).toBeTruthy();
    }
  });

  it('names kinds only where the group is shared', () => {
    const shared = sharedCrdGroups();
    for (const a of (ADDONS as readonly AddonDefinition[]).filter((x) => x.crdKinds !== undefined)) expect(a.crdGroups.some((g) => shared.has(g))).toBe(true);
  });
});
