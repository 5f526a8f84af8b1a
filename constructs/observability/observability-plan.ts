import { ObservabilitySpec } from '../../environments/observability-schema';
import { AlertGroup, alertGroups } from './alert-rules';
import { DashboardSpec, dashboardMetrics } from './dashboard';
import { DASHBOARDS } from './dashboards';
import { MetricDefinition, MetricSource } from './metric-catalogue';
import { Query } from './promql';
import { RECORDING_GROUPS, RecordingGroup, RecordingRule } from './recording-rules';
import { activeSources, ObservedCluster, PlacedPodTarget, scrapeTargets, ServiceTarget } from './scrape-targets';

/** What one cluster gets: the scrape targets it has, and the rules and panels those make computable. */
export interface ObservabilityPlan {
  readonly services: readonly ServiceTarget[];
  readonly pods: readonly PlacedPodTarget[];
  readonly recordingGroups: readonly RecordingGroup[];
  readonly alertGroups: readonly AlertGroup[];
  readonly dashboards: readonly DashboardSpec[];
  /** Alerts left out for want of an exporter on this cluster (so nobody trusts a silent alert). */
  readonly omittedAlerts: readonly string[];
}

/**
 * Plans a cluster's observability. A rule or panel is kept only when every metric it reads is
 * scraped on the cluster or recorded by a kept rule: an alert over a metric nobody exports would
 * never fire, which is worse than no alert. Pure.
 */
export function planObservability(cluster: ObservedCluster, obs: ObservabilitySpec): ObservabilityPlan {
  const sources: Set<MetricSource> = activeSources(cluster);
  const recorded = new Set<string>();
  const has = (m: MetricDefinition) => (m.source === 'recording-rule' ? recorded.has(m.name) : sources.has(m.source));
  const computable = (q: Query) => q.metrics.every(has);

  // Rules are in dependency order, so one pass sees every series a rule builds on.
  const recordingGroups: RecordingGroup[] = [];
  for (const g of RECORDING_GROUPS) {
    const rules: RecordingRule[] = [];
    for (const r of g.rules) {
      const queries = r.queries.filter(computable);
      if (queries.length === 0) continue;
      rules.push({ ...r, queries });
      recorded.add(r.record.name);
    }
    if (rules.length > 0) recordingGroups.push({ name: g.name, rules });
  }

  const all = alertGroups(obs.alerts);
  const kept = all.map((g) => ({ name: g.name, rules: g.rules.filter((r) => computable(r.query)) })).filter((g) => g.rules.length > 0);
  const keptNames = new Set(kept.flatMap((g) => g.rules.map((r) => r.alert)));

  const dashboards = DASHBOARDS.map((d) => ({ ...d, panels: d.panels.filter((p) => p.targets.every((t) => computable(t.query))) }))
    .filter((d) => d.panels.length > 0 && dashboardMetrics(d).every(has));

  const { services, pods } = scrapeTargets(cluster);
  return {
    services,
    pods,
    recordingGroups,
    alertGroups: kept,
    dashboards,
    omittedAlerts: all.flatMap((g) => g.rules.map((r) => r.alert)).filter((a) => !keptNames.has(a)),
  };
}
