import * as fs from 'node:fs';
import * as path from 'node:path';
import { ADDONS, TEST_TOOLCHAIN } from '../../../constructs/catalog';
import { imageIsPinned } from '../../policy/rules';

describe('catalog', () => {
  it.each(ADDONS.map((a) => [a.id, a] as const))('%s is pinned to an exact chart version and tagged images', (_id, a) => {
    expect(a.chart.version).toMatch(/^v?\d+\.\d+\.\d+$/);
    // Only a chart that installs nothing but CRDs runs no image.
    if (a.images.length === 0) expect(a.crdGroups.length).toBeGreaterThan(0);
    for (const image of a.images) expect(imageIsPinned(image)).toBe(true);
    expect(a.chart.repository).toMatch(/^(https|oci):\/\//);
  });

  it('has unique ids and dependencies that exist and come earlier (no cycles)', () => {
    const ids = ADDONS.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    ADDONS.forEach((a, i) => {
      for (const d of a.dependsOn) expect(ids.slice(0, i)).toContain(d);
    });
  });

  it('gives a reason wherever a namespace is not restricted', () => {
    for (const a of ADDONS) if (a.namespaceSecurity.level !== 'restricted') expect((a.namespaceSecurity as { reason?: string }).reason).toBeTruthy();
  });

  it('keeps the Go wrapper modules of the test control plane on the pinned versions', () => {
    const goMod = (name: string) => path.join(__dirname, '..', '..', 'cluster', 'go', name, 'go.mod');
    const pins: [string, string, string][] = [
      ['kubernetes', 'k8s.io/kubernetes', TEST_TOOLCHAIN.kubernetes],
      ['etcd', 'go.etcd.io/etcd/server/v3', TEST_TOOLCHAIN.etcd],
      ['kwok', 'sigs.k8s.io/kwok', TEST_TOOLCHAIN.kwok],
    ];
    for (const [dir, module, version] of pins) {
      if (!fs.existsSync(goMod(dir))) continue;
      const text = fs.readFileSync(goMod(dir), 'utf8');
      expect(text).toMatch(new RegExp(`${module.replace(/\./g, '\\.')} ${version.replace(/\./g, '\\.')}\\b`));
    }
  });
});
