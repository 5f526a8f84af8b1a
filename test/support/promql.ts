import { parser } from '@prometheus-io/lezer-promql';

/**
 * PromQL checks with the parser of the Prometheus web UI (@prometheus-io/lezer-promql): syntax
 * errors and the metric names an expression selects. Independent of the platform's own builder.
 */

/** Grafana's built-in variables, replaced by values of the right type before parsing. */
const GRAFANA_VARIABLES: readonly [RegExp, string][] = [
  [/\$__rate_interval/g, '5m'],
  [/\$__interval/g, '1m'],
  [/\$__range_s/g, '86400'],
  [/\$__range/g, '1d'],
];

export function withoutGrafanaVariables(expr: string): string {
  return GRAFANA_VARIABLES.reduce((e, [re, v]) => e.replace(re, v), expr);
}

/** Syntax errors, as "at <offset>: <context>" (empty when the expression parses). */
export function promqlErrors(expr: string): string[] {
  const text = withoutGrafanaVariables(expr);
  if (text.trim() === '') return ['empty expression'];
  const errors: string[] = [];
  parser.parse(text).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: ...${text.slice(Math.max(0, node.from - 20), node.from + 20)}...`);
    },
  });
  return errors;
}

/** Metric names the expression selects (the identifier of every vector selector). */
export function selectedMetrics(expr: string): string[] {
  const text = withoutGrafanaVariables(expr);
  const names = new Set<string>();
  parser.parse(text).iterate({
    enter: (node) => {
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.add(text.slice(node.from, node.to));
    },
  });
  return [...names].sort();
}
