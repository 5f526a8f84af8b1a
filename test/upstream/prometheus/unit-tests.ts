import { AlertCase } from './alert-cases';
import { RuleFile, RuleJson } from './rule-files';
import { InputSeries, minutesToDuration } from './series';
import { expandTemplate } from './templates';

/** promtool unit-test files (`promtool test rules`) from the cases. Pure. */

export interface TestGroup {
  readonly name: string;
  readonly interval: string;
  readonly input_series: readonly InputSeries[];
  readonly alert_rule_test?: readonly {
    readonly eval_time: string;
    readonly alertname: string;
    readonly exp_alerts: readonly { readonly exp_labels: Record<string, string>; readonly exp_annotations: Record<string, string> }[];
  }[];
  readonly promql_expr_test?: readonly { readonly expr: string; readonly eval_time: string; readonly exp_samples: readonly { readonly labels: string; readonly value: number }[] }[];
}

export interface UnitTestFile {
  readonly rule_files: readonly string[];
  readonly evaluation_interval: string;
  readonly group_eval_order: readonly string[];
  readonly tests: readonly TestGroup[];
}

/** Recording groups first, then the alert groups (names shared by both files are listed once). */
export function groupOrder(files: readonly RuleFile[]): string[] {
  const recordingFirst = [...files].sort((a, b) => Number(a.groups.some((g) => g.rules.some((r) => r.alert))) - Number(b.groups.some((g) => g.rules.some((r) => r.alert))));
  return [...new Set(recordingFirst.flatMap((f) => f.groups.map((g) => g.name)))];
}

/** The annotations promtool must see on a firing alert: the rule's templates expanded. */
export function expectedAnnotations(rule: RuleJson, labels: Readonly<Record<string, string>>, value: number): Record<string, string> {
  return Object.fromEntries(Object.entries(rule.annotations ?? {}).map(([k, v]) => [k, expandTemplate(v, labels, value)]));
}

export function alertTestGroup(rule: RuleJson, c: AlertCase): TestGroup {
  const alertname = rule.alert ?? '';
  return {
    name: `${alertname}: ${c.name}`,
    interval: `${c.stepMinutes ?? 1}m`,
    input_series: c.series,
    alert_rule_test: [
      {
        eval_time: minutesToDuration(c.evalMinutes),
        alertname,
        exp_alerts: c.expect.map((e) => ({ exp_labels: { ...e.labels, ...(rule.labels ?? {}) }, exp_annotations: expectedAnnotations(rule, e.labels, e.value) })),
      },
    ],
  };
}

/** One file per alert (or per fleet): its groups share the evaluation interval, which must be the sample interval. */
export function unitTestFile(ruleFilePaths: readonly string[], files: readonly RuleFile[], tests: readonly TestGroup[]): UnitTestFile {
  const intervals = [...new Set(tests.map((t) => t.interval))];
  if (intervals.length > 1) throw new Error(`test groups of one file sample at different intervals (${intervals.join(', ')}): give each its own file`);
  return { rule_files: ruleFilePaths, evaluation_interval: intervals[0] ?? '1m', group_eval_order: groupOrder(files), tests };
}

/**
 * promql_expr_test values are compared exactly; expectations are rounded to 2^-30 on both sides
 * (`round(expr, 2^-30)`), which makes the comparison independent of float summation order and
 * still exact to 1e-9.
 */
export const GRID = 2 ** -30;
export const onGrid = (v: number): number => Math.round(v / GRID) * GRID;
export const roundedExpr = (expr: string): string => `round(${expr}, ${String(GRID)})`;

/** The labels of a series without its name, in PromQL form. */
export function labelsOf(labels: Readonly<Record<string, string>>): string {
  return `{${Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}}`;
}
