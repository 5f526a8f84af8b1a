import { ADDONS, IMAGE_SLOTS } from '../../constructs/catalog';
import { endpointHost } from '../../constructs/image-mirror';
import { loadEnvironment } from '../../environments';
import { addonsFor, clusterValues } from '../../stacks/addon-selection';
import { environmentImages } from '../../stacks/images';
import { podSpecImages } from '../../stacks/pod-images';
import { dig } from '../support/dig';
import { ENV_NAMES, rendered } from '../support/synth';

describe.each(ENV_NAMES)('%s: image list for air-gapped installs', (env) => {
  const spec = loadEnvironment(env);
  const list = environmentImages(env);

  it('is sorted and has no duplicate lines', () => {
    const keys = list.map((e) => `${e.cluster}|${e.image}|${e.source}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...list].sort((a, b) => a.cluster.localeCompare(b.cluster) || a.image.localeCompare(b.image) || a.source.localeCompare(b.source))).toEqual(list);
  });

  it('is complete: every image of the synthesized output and every catalog image of the cluster add-ons', () => {
    for (const cluster of spec.clusters) {
      const listed = new Set(list.filter((e) => e.cluster === cluster.name).flatMap((e) => [e.image, e.mirrored]));
      const synthesized = rendered(env).find((c) => c.cluster.name === cluster.name)!.files.flatMap((f) => f.objects).flatMap((o) => podSpecImages(o));
      for (const image of synthesized) expect(listed).toContain(image);
      for (const a of addonsFor(spec, cluster)) for (const image of a.images) expect(listed).toContain(image);
    }
  });

  it('maps every image onto its cluster registry host', () => {
    for (const e of list) {
      const host = endpointHost(spec.clusters.find((c) => c.name === e.cluster)!.registry.endpoint);
      expect(e.mirrored.startsWith(`${host}/`)).toBe(true);
    }
  });

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
