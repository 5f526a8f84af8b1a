import { MetricDefinition } from './metric-catalogue';

/**
 * A PromQL expression together with the metrics it reads. Expressions are written with the
 * `promql` template tag, and every metric goes in as a catalogue entry rather than as text: the
 * platform then knows which exporters a rule or panel needs (and leaves it out where they do not
 * run), and the metric-catalogue test proves no metric was typed in by hand.
 */
export interface Query {
  readonly expr: string;
  readonly metrics: readonly MetricDefinition[];
}

/** A histogram's or summary's series, e.g. `_bucket`; the bare name for gauges and counters. */
export interface SeriesRef {
  readonly metric: MetricDefinition;
  readonly suffix: '' | '_bucket' | '_count' | '_sum';
}

type Part = MetricDefinition | SeriesRef | Query | number | string;

const isMetric = (p: Part): p is MetricDefinition => typeof p === 'object' && 'source' in p;
const isSeries = (p: Part): p is SeriesRef => typeof p === 'object' && 'suffix' in p;

/** Numbers as PromQL literals without float noise (0.1 * 14.4 prints 1.44, not 1.4400000000000002). */
export function num(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`PromQL literal must be a finite number (got ${n})`);
  return String(Number(n.toPrecision(12)));
}

/** The tag: `promql\`sum(rate(${M.x}[5m])) > ${threshold}\``. Strings are pasted verbatim (label values, durations). */
export function promql(strings: TemplateStringsArray, ...parts: Part[]): Query {
  const metrics: MetricDefinition[] = [];
  let expr = strings[0];
  parts.forEach((part, i) => {
    if (isSeries(part)) {
      if (part.suffix !== '' && part.metric.type !== 'histogram') throw new Error(`${part.metric.name} is a ${part.metric.type}: it has no ${part.suffix} series`);
      metrics.push(part.metric);
      expr += part.metric.name + part.suffix;
    } else if (isMetric(part)) {
      if (part.type === 'histogram') throw new Error(`${part.name} is a histogram: use bucket(), count() or sum() to pick a series`);
      metrics.push(part);
      expr += part.name;
    } else if (typeof part === 'object') {
      metrics.push(...part.metrics);
      expr += part.expr;
    } else {
      expr += typeof part === 'number' ? num(part) : part;
    }
    expr += strings[i + 1];
  });
  return { expr: expr.replace(/\s+/g, ' ').trim(), metrics: [...new Set(metrics)] };
}

export const bucket = (metric: MetricDefinition): SeriesRef => ({ metric, suffix: '_bucket' });
export const count = (metric: MetricDefinition): SeriesRef => ({ metric, suffix: '_count' });

/** Union of several queries' metrics (a panel with two targets, an alert built from two rules). */
export function metricsOf(queries: readonly Query[]): MetricDefinition[] {
  return [...new Set(queries.flatMap((q) => q.metrics))];
}
