import { AddonDefinition, ADDONS, installedBefore } from '../../../constructs/catalog';

describe('installedBefore', () => {
  it('is the dependencies, then the installAfter ordering (earlier in the catalog, with a reason)', () => {
    const catalog: readonly AddonDefinition[] = ADDONS;
    const ids = catalog.map((a) => a.id);
    for (const [i, a] of catalog.entries()) {
      for (const d of a.installAfter?.ids ?? []) expect(ids.slice(0, i)).toContain(d);
      if (a.installAfter !== undefined) expect(a.installAfter.reason).toBeTruthy();
      expect(installedBefore(a)).toEqual([...a.dependsOn, ...(a.installAfter?.ids ?? [])]);
    }
  });

  it('puts kserve-llmisvc-crd after kserve-crd, which templates the same ClusterStorageContainer CRD', () => {
    expect(installedBefore(ADDONS.find((a) => a.id === 'kserve-llmisvc-crd') as AddonDefinition)).toEqual(['kserve-crd']);
  });
});
