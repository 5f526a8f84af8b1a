import { Construct } from 'constructs';
import { ObservabilitySpec } from '../../environments/observability-schema';
import { GrafanaDashboard } from './grafana-dashboard';
import { ObservabilityPlan, planObservability } from './observability-plan';
import { PodMonitor } from './pod-monitor';
import { alertRuleJson, PrometheusRule, recordingRuleJson } from './prometheus-rule';
import { RECORDING_INTERVAL_MINUTES } from './recording-rules';
import { ObservedCluster } from './scrape-targets';
import { ServiceMonitor } from './service-monitor';

export interface ObservabilityProps {
  /** The cluster facts that decide what is scraped (components, stages, namespaces, ports). */
  readonly cluster: ObservedCluster;
  /** The spec's observability section (thresholds, runbook base). */
  readonly spec: ObservabilitySpec;
  /** Namespace of kube-prometheus-stack, where monitors, rules and dashboards go. */
  readonly namespace: string;
}

/** How often recording rules run: the dashboards' and alerts' resolution (the GPU-hours rules count on it). */
const RECORDING_INTERVAL = `${RECORDING_INTERVAL_MINUTES}m`;

/**
 * Metrics, alerts and dashboards of one cluster on top of kube-prometheus-stack: ServiceMonitors
 * and PodMonitors for the add-ons and model servers, recording rules for GPU showback and SLOs,
 * alerts, and Grafana dashboards as ConfigMaps.
 */
export class Observability extends Construct {
  /** What was planned for the cluster (for tests and reports). */
  readonly plan: ObservabilityPlan;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { namespace } = props;
    this.plan = planObservability(props.cluster, props.spec);

    for (const target of this.plan.services) new ServiceMonitor(this, `service-${target.id}`, { target, namespace });
    for (const target of this.plan.pods) new PodMonitor(this, `pod-${target.target.id}`, { target, namespace });

    if (this.plan.recordingGroups.length > 0) {
      new PrometheusRule(this, 'recording-rules', {
        name: 'ml-platform-recording-rules',
        namespace,
        groups: this.plan.recordingGroups.map((g) => ({ name: g.name, interval: RECORDING_INTERVAL, rules: g.rules.map(recordingRuleJson) })),
      });
    }
    if (this.plan.alertGroups.length > 0) {
      new PrometheusRule(this, 'alerts', {
        name: 'ml-platform-alerts',
        namespace,
        groups: this.plan.alertGroups.map((g) => ({ name: g.name, rules: g.rules.map((r) => alertRuleJson(r, props.spec.runbookBaseUrl)) })),
      });
    }
    for (const dashboard of this.plan.dashboards) new GrafanaDashboard(this, `dashboard-${dashboard.uid}`, { dashboard, namespace });
  }
}
