import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { HelmChartRef } from '../../constructs/catalog';
import { chartSource, helmChartArgs } from '../../constructs/delivery/chart-source';

/**
 * Where `helm template` reads the pinned charts from: a Helm chart repository on disk (index.yaml
 * plus the .tgz files it names, e.g. ../shared/charts or a copy of one's own mirror), or a remote
 * repository (the spec's chart mirror, else each chart's upstream repository).
 */
export type ChartRepository = { readonly kind: 'directory'; readonly dir: string } | { readonly kind: 'remote'; readonly mirror?: string };

/** The environment variable that points the chart renders at a repository (a directory or a URL). */
export const CHART_REPOSITORY_ENV = 'HML_CHART_REPOSITORY';

/**
 * The repository named by `value` (a directory with index.yaml, or an http(s)/oci URL), else the
 * first of `fallbackDirs` that holds an index.yaml, else the upstream repositories.
 */
export function chartRepositoryFrom(value: string | undefined, fallbackDirs: readonly string[] = []): ChartRepository {
  if (value !== undefined && value !== '') {
    if (/^(https?|oci):\/\//.test(value)) return { kind: 'remote', mirror: value.replace(/\/$/, '') };
    if (!fs.existsSync(path.join(value, 'index.yaml'))) throw new Error(`${CHART_REPOSITORY_ENV}=${value}: no index.yaml there; give a Helm chart repository directory or an http(s):// or oci:// URL`);
    return { kind: 'directory', dir: path.resolve(value) };
  }
  const dir = fallbackDirs.find((d) => fs.existsSync(path.join(d, 'index.yaml')));
  return dir === undefined ? { kind: 'remote' } : { kind: 'directory', dir: path.resolve(dir) };
}

interface IndexEntry {
  readonly version: string;
  readonly urls: readonly string[];
}

const indexes = new Map<string, Record<string, readonly IndexEntry[]>>();

/** The .tgz of a chart version in a repository directory; throws, naming what the index has, when it is not there. */
export function localChartArchive(dir: string, chart: Pick<HelmChartRef, 'name' | 'version'>): string {
  let entries = indexes.get(dir);
  if (entries === undefined) {
    entries = (YAML.parse(fs.readFileSync(path.join(dir, 'index.yaml'), 'utf8')) as { entries: Record<string, readonly IndexEntry[]> }).entries;
    indexes.set(dir, entries);
  }
  const versions = entries[chart.name];
  if (versions === undefined) throw new Error(`chart ${chart.name} is not in ${dir}/index.yaml (charts there: ${Object.keys(entries).sort().join(', ')})`);
  const found = versions.find((v) => v.version === chart.version);
  if (found === undefined) throw new Error(`chart ${chart.name} ${chart.version} is not in ${dir}/index.yaml (versions there: ${versions.map((v) => v.version).join(', ')}); pin one of those`);
  const url = found.urls[0];
  return /^[a-z]+:\/\//.test(url) ? url : path.join(dir, url);
}

/** Helm's command-line reference for a pinned chart in a repository: a .tgz path, or a name with --repo, or oci://. */
export function chartLocation(repo: ChartRepository, chart: HelmChartRef): { readonly chart: string; readonly repo?: string; readonly version?: string } {
  if (repo.kind === 'directory') return { chart: localChartArchive(repo.dir, chart) };
  return { ...helmChartArgs(chartSource(chart, repo.mirror)), version: chart.version };
}
