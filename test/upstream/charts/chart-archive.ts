import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';

/** What a chart archive declares: its metadata, default values and schema, and its subcharts by values key. */
export interface ChartContents {
  readonly name: string;
  readonly version: string;
  readonly appVersion?: string;
  readonly defaults: Record<string, unknown>;
  /** values.schema.json, if the chart has one. */
  readonly schema?: Record<string, unknown>;
  /** Subcharts by the key their values live under (alias, else name). */
  readonly subcharts: ReadonlyMap<string, ChartContents>;
}

interface ChartYaml {
  readonly name: string;
  readonly version: string;
  readonly appVersion?: string;
  readonly dependencies?: readonly { readonly name: string; readonly alias?: string }[];
}

function readChartDir(dir: string): ChartContents {
  const meta = YAML.parse(fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8')) as ChartYaml;
  const valuesFile = path.join(dir, 'values.yaml');
  const defaults = fs.existsSync(valuesFile) ? ((YAML.parse(fs.readFileSync(valuesFile, 'utf8')) as Record<string, unknown> | null) ?? {}) : {};
  const schemaFile = path.join(dir, 'values.schema.json');
  const schema = fs.existsSync(schemaFile) ? (JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as Record<string, unknown>) : undefined;
  const subcharts = new Map<string, ChartContents>();
  const chartsDir = path.join(dir, 'charts');
  if (fs.existsSync(chartsDir)) {
    for (const entry of fs.readdirSync(chartsDir).sort()) {
      let sub = path.join(chartsDir, entry);
      if (entry.endsWith('.tgz')) sub = extract(sub);
      if (!fs.existsSync(path.join(sub, 'Chart.yaml'))) continue;
      const contents = readChartDir(sub);
      const dep = meta.dependencies?.find((d) => d.name === contents.name);
      subcharts.set(dep?.alias ?? contents.name, contents);
    }
  }
  return { name: meta.name, version: meta.version, appVersion: meta.appVersion, defaults, schema, subcharts };
}

const extracted = new Map<string, string>();

/** Unpacks a chart .tgz into a temp directory (once per process) and returns the chart's folder. */
function extract(archive: string): string {
  const known = extracted.get(archive);
  if (known !== undefined) return known;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hml-chart-'));
  const res = spawnSync('tar', ['-xzf', archive, '-C', dir], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`tar -xzf ${archive}: ${res.stderr}`);
  const [top] = fs.readdirSync(dir);
  const chartDir = path.join(dir, top);
  extracted.set(archive, chartDir);
  return chartDir;
}

/** Removes every folder extract() made. */
export function cleanUpExtracted(): void {
  for (const dir of extracted.values()) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  extracted.clear();
}

/** The chart in a .tgz: metadata, defaults, schema and subcharts. */
export const readChartArchive = (archive: string): ChartContents => readChartDir(extract(archive));
