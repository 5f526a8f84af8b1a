import { ADDONS, IMAGE_SLOTS } from '../../constructs/catalog';
import { endpointHost } from '../../constructs/supply-chain/image-mirror';
import { loadEnvironment } from '../../environments';
import { addonsFor, clusterValues } from '../../stacks/addon-selection';
import { podSpecImages } from '../../stacks/pod-images';
import { dig } from '../support/dig';
import { ENV_NAMES, rendered } from '../support/synth';

describe.each(ENV_NAMES)('%s: images behind a mirror', (env) => {
  const spec = loadEnvironment(env);
  // The image list itself is derived from helm renders: test/upstream/charts.test.ts proves it complete.
  it('with mirroring on, every platform image and every add-on image slot points at the mirror', () => {
    if (!spec.images.mirror) return;
    for (const c of rendered(env)) {
      const host = endpointHost(c.cluster.registry.endpoint);
      for (const o of c.files.flatMap((f) => f.objects)) {
        if (o.metadata.namespace === 'harbor') continue; // Harbor is the mirror
        for (const image of podSpecImages(o)) expect(image.startsWith(`${host}/`)).toBe(true);
      }
      for (const a of addonsFor(spec, c.cluster)) {
        const values = clusterValues(a, spec, c.cluster);
        for (const slot of IMAGE_SLOTS[a.id] ?? []) expect(String(dig(values, slot.path))).toMatch(new RegExp(`^${host.replace(/\./g, '\\.')}/`));
      }
    }
  });
});

describe('catalog image slots', () => {
  it('every add-on says where its chart names its images', () => {
    for (const a of ADDONS) expect(IMAGE_SLOTS[a.id]).toBeDefined();
  });
});
