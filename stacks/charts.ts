import { chartSource } from '../constructs/delivery/chart-source';
import { loadEnvironment, PlatformSpec } from '../environments';
import { addonsFor } from './addon-selection';

/** One chart a mirror must hold for an environment, and where it comes from upstream. */
export interface ChartEntry {
  readonly name: string;
  readonly version: string;
  /** The upstream repository (what to copy from). */
  readonly upstream: string;
  /** Where the clusters pull it from: the chart mirror when the spec names one, else upstream. */
  readonly pulledFrom: string;
  /** Clusters that install it. */
  readonly clusters: readonly string[];
}

/** Every chart and version an environment installs, sorted by name: what a chart mirror must hold. */
export function environmentCharts(spec: PlatformSpec): ChartEntry[] {
  const byChart = new Map<string, ChartEntry>();
  for (const cluster of spec.clusters) {
    for (const a of addonsFor(spec, cluster)) {
      const key = `${a.chart.name}@${a.chart.version}`;
      const prev = byChart.get(key);
      const source = chartSource(a.chart, spec.images.chartMirror);
      byChart.set(key, { name: a.chart.name, version: a.chart.version, upstream: a.chart.repository, pulledFrom: source.repository, clusters: [...(prev?.clusters ?? []), cluster.name] });
    }
  }
  return [...byChart.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

function main(argv: readonly string[]): void {
  const env = argv.find((a) => !a.startsWith('--'));
  if (env === undefined) {
    console.error('usage: npm run charts -- <environment>\nprints "<chart> <version> <upstream repository> <pulled from> <clusters>" for every chart the environment installs');
    process.exitCode = 2;
    return;
  }
  try {
    for (const c of environmentCharts(loadEnvironment(env))) console.log([c.name, c.version, c.upstream, c.pulledFrom, c.clusters.join(',')].join('\t'));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  }
}

if (require.main === module) main(process.argv.slice(2));
