import { Construct } from 'constructs';
import * as monitoring from '../../imports/monitoring.coreos.com';
import { AlertRule } from './alert-rules';
import { monitoringLabels } from './monitor-labels';
import { RecordingRule } from './recording-rules';

/** One rule as the PrometheusRule CRD takes it. */
export interface RuleJson {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface RuleGroupJson {
  readonly name: string;
  /** Evaluation interval of the group. @default Prometheus' global interval */
  readonly interval?: string;
  readonly rules: readonly RuleJson[];
}

export interface PrometheusRuleProps {
  /** Object name. */
  readonly name: string;
  /** Namespace (the observability namespace: the Prometheus of kube-prometheus-stack selects rules from all). */
  readonly namespace: string;
  /** Rule groups, evaluated in order. */
  readonly groups: readonly RuleGroupJson[];
}

/** Alert anchor in the runbook: the alert name in lower case. */
export const runbookUrl = (base: string, alert: string): string => `${base}#${alert.toLowerCase()}`;

/** An alert as the CRD takes it: severity label, summary, description and runbook annotations. */
export function alertRuleJson(rule: AlertRule, runbookBase: string): RuleJson {
  return {
    alert: rule.alert,
    expr: rule.query.expr,
    for: rule.for,
    labels: { severity: rule.severity },
    annotations: { summary: rule.summary, description: rule.description, runbook_url: runbookUrl(runbookBase, rule.alert) },
  };
}

/** A recording rule from the alternatives a cluster can compute (callers drop the rest). */
export function recordingRuleJson(rule: RecordingRule): RuleJson {
  if (rule.queries.length === 0) throw new Error(`recording rule ${rule.record.name} has no expression`);
  return { record: rule.record.name, expr: rule.queries.map((q) => (rule.queries.length > 1 ? `(${q.expr})` : q.expr)).join(' or ') };
}

/**
 * A Prometheus Operator PrometheusRule. Refuses alerts without severity, summary or runbook, and
 * duplicate group names, which Prometheus would reject at load time.
 */
export class PrometheusRule extends Construct {
  constructor(scope: Construct, id: string, props: PrometheusRuleProps) {
    super(scope, id);
    const names = props.groups.map((g) => g.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw new Error(`PrometheusRule ${props.name}: group "${dup}" appears twice; group names must be unique`);
    for (const g of props.groups) {
      if (g.rules.length === 0) throw new Error(`PrometheusRule ${props.name}: group "${g.name}" has no rules; leave it out`);
      for (const r of g.rules) {
        if ((r.alert === undefined) === (r.record === undefined)) throw new Error(`PrometheusRule ${props.name}: a rule of "${g.name}" must have exactly one of alert and record`);
        if (r.alert !== undefined && (r.labels?.severity === undefined || r.annotations?.summary === undefined || r.annotations.runbook_url === undefined)) {
          throw new Error(`PrometheusRule ${props.name}: alert ${r.alert} needs labels.severity and annotations summary and runbook_url`);
        }
      }
    }
    new monitoring.PrometheusRule(this, 'resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: monitoringLabels('rules') },
      spec: { groups: props.groups.map((g) => ({ name: g.name, ...(g.interval === undefined ? {} : { interval: g.interval }), rules: g.rules.map((r) => ({ ...r, expr: monitoring.PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr) })) })) },
    });
  }
}
