import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addon } from '../../constructs/catalog';
import { parseRealCharts } from '../../stacks/pulumi/addon-install';
import { recordResources, settled as settledOf } from '../support/pulumi-mocks';

/** Mixed installs (stack settings realCharts + chartDirectory), with the engine mocked. */
const registered = recordResources('dev');

const settled = (): Promise<void> => settledOf(registered);

describe('realCharts with crds-only', () => {
  const charts = fs.mkdtempSync(path.join(os.tmpdir(), 'hml-chart-repo-'));
  const nfd = addon('node-feature-discovery').chart;
  beforeAll(async () => {
    fs.writeFileSync(path.join(charts, 'index.yaml'), `apiVersion: v1\nentries:\n  ${nfd.name}:\n  - version: ${nfd.version}\n    urls: [${nfd.name}-${nfd.version}.tgz]\n`);
    const { deployEnvironment } = await import('../../stacks/pulumi/program');
    // Kubeflow's Kustomizations build to nothing here (test/pulumi/kubeflow.test.ts covers them).
    deployEnvironment('dev', {}, { mode: 'crds-only', realCharts: ['node-feature-discovery'], chartDirectory: charts }, { build: (ks) => new Map(ks.map((k) => [k.metadata.name, []])) });
    await settled();
  }, 60000);
  afterAll(() => fs.rmSync(charts, { recursive: true, force: true }));

  const release = (id: string) => registered.find((r) => r.type === 'kubernetes:helm.sh/v3:Release' && r.name.endsWith(`-${id}`));

  it('installs the named add-on from the pinned archive in the chart directory', () => {
    expect(release('node-feature-discovery')?.inputs.chart).toBe(path.join(charts, `${nfd.name}-${nfd.version}.tgz`));
  });

  it('keeps the stand-in chart for every other add-on', () => {
    expect(String(release('cert-manager')?.inputs.chart)).toMatch(/hybrid-ml-platform\/stand-in-charts\/cert-manager-[0-9a-f]{12}$/);
    expect(release('cert-manager')?.inputs.version).toBe(addon('cert-manager').chart.version);
  });

  it('refuses an unknown add-on id, naming the known ones', () => {
    expect(() => parseRealCharts('node-feature-discovery, nfd')).toThrow(/config realCharts names unknown add-on\(s\) nfd: known add-ons are cert-manager, node-feature-discovery/);
    expect(parseRealCharts(undefined)).toEqual([]);
  });
});
