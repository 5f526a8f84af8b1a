import { addon } from '../../../constructs/catalog';
import { alertGroups } from '../../../constructs/observability/alert-rules';
import { dashboardMetrics } from '../../../constructs/observability/dashboard';
import { DASHBOARDS } from '../../../constructs/observability/dashboards';
import { catalogueEntry, METRIC, METRIC_CATALOGUE, METRIC_SOURCES } from '../../../constructs/observability/metric-catalogue';
import { promql } from '../../../constructs/observability/promql';
import { RECORDING_GROUPS } from '../../../constructs/observability/recording-rules';
import { ADDON_SERVICES } from '../../../constructs/observability/scrape-targets';
import { loadEnvironment } from '../../../environments';
import { ManifestObject } from '../../../stacks/manifests';
import {
  ALL_OBSERVABILITY_CHECKS,
  blockedPodScrapes,
  incompleteAlerts,
  rulesOf,
  unmatchedServiceMonitors,
  unparsableExpressions,
  unprovidedMetrics,
} from '../../support/observability-checks';
import { promqlErrors, selectedMetrics } from '../../support/promql';
import { everyCluster } from '../../support/synth';

const clusters = everyCluster();
const defaults = loadEnvironment('dev').observability;

describe('the metric catalogue', () => {
  it('names each series once, with a known source', () => {
    const names = METRIC_CATALOGUE.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of METRIC_CATALOGUE) expect(Object.keys(METRIC_SOURCES)).toContain(m.source);
  });

  it('has exactly one recording rule for each recorded series, and no rule for anything else', () => {
    const recordedByRules = RECORDING_GROUPS.flatMap((g) => g.rules.map((r) => r.record.name)).sort();
    const recordedInCatalogue = METRIC_CATALOGUE.filter((m) => m.source === 'recording-rule').map((m) => m.name).sort();
    expect(recordedByRules).toEqual(recordedInCatalogue);
  });

  it('resolves histogram series to their histogram and nothing else', () => {
    expect(catalogueEntry('kueue_admission_wait_time_seconds_bucket')).toBe(METRIC.kueueAdmissionWait);
    expect(catalogueEntry('DCGM_FI_DEV_GPU_UTIL_bucket')).toBeUndefined();
    expect(catalogueEntry('DCGM_FI_DEV_GPU_UTILS')).toBeUndefined();
  });
});

/** The builder's bookkeeping against the parser: no metric enters an expression as plain text. */
describe('every expression in code', () => {
  const queries = [
    ...RECORDING_GROUPS.flatMap((g) => g.rules.flatMap((r) => r.queries.map((q) => [`record ${r.record.name}`, q] as const))),
    ...alertGroups(defaults.alerts).flatMap((g) => g.rules.map((r) => [`alert ${r.alert}`, r.query] as const)),
    ...DASHBOARDS.flatMap((d) => d.panels.flatMap((p) => p.targets.map((t) => [`${d.uid} "${p.title}"`, t.query] as const))),
  ];

  it.each(queries)('%s parses and declares exactly the metrics it selects', (_where, q) => {
    expect(promqlErrors(q.expr)).toEqual([]);
    const declared = [...new Set(q.metrics.map((m) => m.name))].sort();
    const selected = [...new Set(selectedMetrics(q.expr).map((s) => catalogueEntry(s)?.name ?? `not catalogued: ${s}`))].sort();
    expect(selected).toEqual(declared);
  });

  it('dashboard variables read catalogued metrics', () => {
    for (const d of DASHBOARDS) for (const m of dashboardMetrics(d)) expect(METRIC_CATALOGUE).toContain(m);
  });
});

describe('documented add-on Services', () => {
  it.each(ADDON_SERVICES.map((s) => [s.id, s] as const))('%s: selector is a subset of the Service labels, its port a Service port, its namespace the catalog one', (_id, s) => {
    for (const [k, v] of Object.entries(s.select)) expect(s.serviceLabels[k]).toBe(v);
    expect(s.servicePorts).toContain(s.endpoint.port);
    if ('addon' in s.installedBy) expect(s.namespace).toBe(addon(s.installedBy.addon).namespace);
    expect(s.ref).not.toBe('');
  });
});

describe.each(clusters)('%s/%s: monitoring objects', (_env, _cluster, objects) => {
  it.each(Object.entries(ALL_OBSERVABILITY_CHECKS))('%s holds', (_name, check) => {
    expect(check(objects)).toEqual([]);
  });

  it('has rules, monitors and dashboards to check (the checks are not vacuous)', () => {
    expect(rulesOf(objects).filter((r) => r.alert !== undefined).length).toBeGreaterThan(5);
    expect(rulesOf(objects).filter((r) => r.record !== undefined).length).toBeGreaterThan(5);
    expect(objects.filter((o) => o.kind === 'ServiceMonitor').length).toBeGreaterThan(3);
    expect(objects.filter((o) => o.metadata.labels?.grafana_dashboard === '1').length).toBeGreaterThanOrEqual(3);
  });
});

/** Each check fails on an object made to break it. */
describe('the checks catch what they are for', () => {
  const [, , base] = clusters.find(([env, cluster]) => env === 'prod' && cluster === 'onprem-h100')!;
  const clone = (): ManifestObject[] => JSON.parse(JSON.stringify(base)) as ManifestObject[];
  const alerts = (objs: ManifestObject[]) => objs.find((o) => o.kind === 'PrometheusRule' && o.metadata.name === 'ml-platform-alerts') as unknown as { spec: { groups: { rules: Record<string, unknown>[] }[] } };
  const firstAlert = (objs: ManifestObject[]) => alerts(objs).spec.groups[0].rules[0] as { expr: string; labels: Record<string, string>; annotations: Record<string, string> };

  it('an expression that does not parse', () => {
    const objs = clone();
    firstAlert(objs).expr = 'sum by (node (DCGM_FI_DEV_GPU_UTIL)';
    expect(unparsableExpressions(objs)).toEqual([expect.stringMatching(/GpuAllocatedButIdle: does not parse/)]);
    expect(promqlErrors('histogram_quantil(0.9, x)')).not.toEqual([]);
  });

  it('an alert without severity, summary or a runbook section', () => {
    const objs = clone();
    const a = firstAlert(objs);
    a.labels = { severity: 'page' };
    delete a.annotations.summary;
    a.annotations.runbook_url = 'docs/runbooks.md#no-such-alert';
    expect(incompleteAlerts(objs)).toEqual([
      expect.stringMatching(/severity page is not one of/),
      expect.stringMatching(/no summary/),
      expect.stringMatching(/has no section in docs\/runbooks.md/),
    ]);
  });

  it('a metric outside the catalogue, and one whose exporter is not scraped', () => {
    const objs = clone();
    firstAlert(objs).expr = 'made_up_metric > 0';
    expect(unprovidedMetrics(objs)).toEqual([expect.stringMatching(/made_up_metric is not in the metric catalogue/)]);
    const noKueue = clone().filter((o) => o.metadata.name !== 'ml-platform-kueue');
    expect(unprovidedMetrics(noKueue).join('\n')).toMatch(/kueue_pending_workloads comes from kueue, which nothing scrapes on this cluster/);
  });

  it('a recorded series nobody records', () => {
    const objs = clone().filter((o) => o.metadata.name !== 'ml-platform-recording-rules');
    expect(unprovidedMetrics(objs).join('\n')).toMatch(/team:gpu_allocated:sum is recorded by no rule on this cluster/);
  });

  it('a ServiceMonitor that selects no documented Service', () => {
    const objs = clone();
    const sm = objs.find((o) => o.kind === 'ServiceMonitor') as unknown as { spec: { selector: { matchLabels: Record<string, string> } } };
    sm.spec.selector.matchLabels['app.kubernetes.io/name'] = 'typo';
    expect(unmatchedServiceMonitors(objs)).toEqual([expect.stringMatching(/no Service in .* with labels/)]);
  });

  it('a PodMonitor on a port the team NetworkPolicies do not open', () => {
    const objs = clone();
    const pm = objs.find((o) => o.kind === 'PodMonitor' && o.metadata.name === 'ml-platform-kserve-inference') as unknown as { spec: { podMetricsEndpoints: { portNumber: number }[] } };
    pm.spec.podMetricsEndpoints[0].portNumber = 9999;
    expect(blockedPodScrapes(objs).length).toBeGreaterThan(0);
    expect(blockedPodScrapes(objs)[0]).toMatch(/port 9999 in .*-serving is not open to monitoring/);
  });

  it('the PromQL helpers read metrics and errors as the parser sees them', () => {
    expect(selectedMetrics('sum by (a) (rate(x_total{b="c"}[5m])) / on(a) y:z:w unless label_replace(up, "q", "$1", "r", "(.+)")')).toEqual(['up', 'x_total', 'y:z:w']);
    expect(promql`${METRIC.gpuUtil} > ${0.1 * 3}`.expr).toBe('DCGM_FI_DEV_GPU_UTIL > 0.3');
  });
});
