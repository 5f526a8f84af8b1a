import { ADDONS } from '../../constructs/catalog';
import { loadEnvironment } from '../../environments';
import { addonsFor } from '../../stacks/addon-selection';
import { environmentCharts } from '../../stacks/charts';
import { ENV_NAMES } from '../support/synth';

describe.each(ENV_NAMES)('%s: charts a mirror must hold (npm run charts)', (env) => {
  const spec = loadEnvironment(env);
  const list = environmentCharts(spec);

  it('lists each chart version once, sorted, with every cluster that installs it', () => {
    expect(list.map((c) => c.name)).toEqual([...list.map((c) => c.name)].sort());
    for (const cluster of spec.clusters) {
      for (const a of addonsFor(spec, cluster)) {
        const entry = list.find((c) => c.name === a.chart.name && c.version === a.chart.version);
        expect(entry?.clusters).toContain(cluster.name);
        expect(entry?.upstream).toBe(a.chart.repository);
      }
    }
  });

  it('points every chart at the chart mirror when the spec names one, else upstream', () => {
    for (const c of list) expect(c.pulledFrom).toBe(c.upstream);
    const mirrored = environmentCharts({ ...spec, images: { ...spec.images, chartMirror: 'oci://harbor.example.com/charts' } });
    for (const c of mirrored) expect(c.pulledFrom).toBe('oci://harbor.example.com/charts');
  });
});

describe('catalog chart names', () => {
  it('KServe ships its controller as kserve-resources since v0.17.0', () => {
    expect(ADDONS.find((a) => a.id === 'kserve')?.chart.name).toBe('kserve-resources');
  });
});
