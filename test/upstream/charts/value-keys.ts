import { ChartContents } from './chart-archive';

/** A values map the catalog declares free-form (keys of the user's choosing), with why. */
export interface FreeFormValues {
  readonly path: string;
  readonly reason: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every leaf path of a values object (arrays and scalars are leaves), as keys (a key may hold dots: `quay.io`). */
export function leafPaths(values: Readonly<Record<string, unknown>>, prefix: readonly string[] = []): string[][] {
  return Object.entries(values).flatMap(([k, v]) => (isRecord(v) && Object.keys(v).length > 0 ? leafPaths(v, [...prefix, k]) : [[...prefix, k]]));
}

/** Whether a dotted path is declared by the chart: in its defaults, or a subchart's (under the subchart's key, or `global`). */
function declared(chart: ChartContents, keys: readonly string[], freeForm: readonly string[]): boolean {
  const at = keys.join('.');
  if (freeForm.some((f) => at === f || at.startsWith(`${f}.`))) return true;
  let node: unknown = chart.defaults;
  for (const [i, key] of keys.entries()) {
    const sub = i === 0 ? chart.subcharts.get(key) : undefined;
    if (sub !== undefined && declared(sub, keys.slice(1), freeForm.filter((f) => f.startsWith(`${key}.`)).map((f) => f.slice(key.length + 1)))) return true;
    if (!isRecord(node) || !(key in node)) return false;
    node = node[key];
  }
  return true;
}

/**
 * The paths of `values` that the chart does not declare. Helm ignores unknown keys silently, so a
 * typo or a key removed upstream would do nothing: only keys in the chart's default values (or a
 * subchart's) count, or keys below a map the catalog declares free-form.
 */
export function undeclaredValuePaths(chart: ChartContents, values: Readonly<Record<string, unknown>>, freeForm: readonly FreeFormValues[] = []): string[] {
  const free = freeForm.map((f) => f.path);
  return leafPaths(values).filter((keys) => !declared(chart, keys, free)).map((keys) => keys.join('.'));
}
