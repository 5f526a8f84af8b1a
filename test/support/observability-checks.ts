import * as fs from 'node:fs';
import * as path from 'node:path';
import { catalogueEntry, METRIC_SOURCES, MetricSource } from '../../constructs/observability/metric-catalogue';
import { ADDON_SERVICES, POD_TARGETS, ScrapeEndpoint } from '../../constructs/observability/scrape-targets';
import { ManifestObject } from '../../stacks/manifests';
import { promqlErrors, selectedMetrics } from './promql';

/**
 * Checks of the synthesized monitoring objects. Each returns violations as readable strings
 * (empty = fine), like test/policy/rules.ts, so a negative test can feed a broken object.
 */

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const id = (o: ManifestObject) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const ofKind = (objs: readonly ManifestObject[], kind: string) => objs.filter((o) => o.kind === kind && o.apiVersion.startsWith('monitoring.coreos.com/'));
const spec = (o: ManifestObject): Json => (isObj(o.spec) ? o.spec : {});

export const SEVERITIES = ['critical', 'warning', 'info'];
export const RUNBOOK_FILE = path.join(__dirname, '..', '..', 'docs', 'runbooks.md');

export interface RuleView {
  readonly where: string;
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly labels: Json;
  readonly annotations: Json;
}

export function rulesOf(objs: readonly ManifestObject[]): RuleView[] {
  return ofKind(objs, 'PrometheusRule').flatMap((o) =>
    ((spec(o).groups as Json[] | undefined) ?? []).flatMap((g) =>
      ((g.rules as Json[] | undefined) ?? []).map((r) => ({
        where: `${id(o)} group ${String(g.name)} ${String(r.alert ?? r.record)}`,
        alert: r.alert as string | undefined,
        record: r.record as string | undefined,
        expr: String(r.expr ?? ''),
        labels: isObj(r.labels) ? r.labels : {},
        annotations: isObj(r.annotations) ? r.annotations : {},
      })),
    ),
  );
}

export interface DashboardQuery {
  readonly where: string;
  readonly expr: string;
  /** `label_values(metric, label)` of a variable: only the metric is checked. */
  readonly variable: boolean;
}

export function dashboardsOf(objs: readonly ManifestObject[]): { where: string; json: Json }[] {
  return objs
    .filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1')
    .flatMap((o) => Object.entries((o.data as Record<string, string> | undefined) ?? {}).map(([k, v]) => ({ where: `${id(o)} ${k}`, json: JSON.parse(v) as Json })));
}

export function dashboardQueries(objs: readonly ManifestObject[]): DashboardQuery[] {
  return dashboardsOf(objs).flatMap(({ where, json }) => [
    ...((json.panels as Json[] | undefined) ?? []).flatMap((p) => ((p.targets as Json[] | undefined) ?? []).map((t) => ({ where: `${where} panel "${String(p.title)}"`, expr: String(t.expr ?? ''), variable: false }))),
    ...(((json.templating as Json | undefined)?.list as Json[] | undefined) ?? [])
      .filter((v) => v.type === 'query')
      .map((v) => {
        const m = /^label_values\((.+),\s*[a-zA-Z_][a-zA-Z0-9_]*\)$/.exec(String(v.definition ?? ''));
        return { where: `${where} variable ${String(v.name)}`, expr: m === null ? `invalid variable ${String(v.definition)}` : m[1], variable: true };
      }),
  ]);
}

/** Every rule and dashboard expression parses. */
export function unparsableExpressions(objs: readonly ManifestObject[]): string[] {
  return [...rulesOf(objs), ...dashboardQueries(objs)].flatMap((q) => promqlErrors(q.expr).map((e) => `${q.where}: does not parse ${e}`));
}

/** Every alert has a known severity, a summary and a runbook that exists. */
export function incompleteAlerts(objs: readonly ManifestObject[], runbook: string = fs.readFileSync(RUNBOOK_FILE, 'utf8')): string[] {
  const anchors = new Set([...runbook.matchAll(/^#+\s+(.+)$/gm)].map((m) => m[1].trim().toLowerCase()));
  return rulesOf(objs)
    .filter((r) => r.alert !== undefined)
    .flatMap((r) => {
      const out: string[] = [];
      if (!SEVERITIES.includes(String(r.labels.severity))) out.push(`${r.where}: severity ${String(r.labels.severity)} is not one of ${SEVERITIES.join(', ')}`);
      if (typeof r.annotations.summary !== 'string' || r.annotations.summary.trim() === '') out.push(`${r.where}: no summary`);
      const url = r.annotations.runbook_url;
      if (typeof url !== 'string' || url.trim() === '') out.push(`${r.where}: no runbook_url`);
      else if (!/^https?:\/\//.test(url) && !anchors.has(url.slice(url.indexOf('#') + 1))) out.push(`${r.where}: runbook ${url} has no section in docs/runbooks.md`);
      return out;
    });
}

const subset = (want: Json, have: Readonly<Record<string, string>>) => Object.entries(want).every(([k, v]) => have[k] === v);

/** Every ServiceMonitor selects a Service of the output or a documented add-on Service, by labels and port. */
export function unmatchedServiceMonitors(objs: readonly ManifestObject[], documented = ADDON_SERVICES): string[] {
  return ofKind(objs, 'ServiceMonitor').flatMap((sm) => {
    const s = spec(sm);
    const selector = isObj(s.selector) && isObj(s.selector.matchLabels) ? s.selector.matchLabels : undefined;
    const namespaces = isObj(s.namespaceSelector) ? ((s.namespaceSelector.matchNames as string[] | undefined) ?? []) : [];
    const ports = ((s.endpoints as Json[] | undefined) ?? []).map((e) => String(e.port));
    if (selector === undefined || Object.keys(selector).length === 0) return [`${id(sm)}: selects every Service (no matchLabels)`];
    if (namespaces.length === 0) return [`${id(sm)}: no namespaceSelector.matchNames`];
    return namespaces.flatMap((ns) => {
      const inOutput = objs.some((o) => o.kind === 'Service' && o.metadata.namespace === ns && subset(selector, o.metadata.labels ?? {}) && ports.every((p) => ((spec(o).ports as Json[] | undefined) ?? []).some((sp) => sp.name === p)));
      const doc = documented.some((d) => d.namespace === ns && subset(selector, d.serviceLabels) && ports.every((p) => d.servicePorts.includes(p)));
      return inOutput || doc ? [] : [`${id(sm)}: no Service in ${ns} with labels ${JSON.stringify(selector)} and port(s) ${ports.join(', ')} in the output or in ADDON_SERVICES`];
    });
  });
}

/** PodMonitors into team namespaces scrape only ports those namespaces' NetworkPolicies let the monitoring namespace reach. */
export function blockedPodScrapes(objs: readonly ManifestObject[], monitoringNamespace = 'monitoring'): string[] {
  const teamNamespaces = new Set(objs.filter((o) => o.kind === 'Namespace' && o.metadata.labels?.['ml.platform/team'] !== undefined).map((o) => o.metadata.name));
  const allowed = (ns: string): number[] =>
    objs
      .filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === ns)
      .flatMap((o) => ((spec(o).ingress as Json[] | undefined) ?? []).filter((rule) => ((rule.from as Json[] | undefined) ?? []).some((peer) => JSON.stringify(peer).includes(`"${monitoringNamespace}"`))))
      .flatMap((rule) => ((rule.ports as Json[] | undefined) ?? []).map((p) => Number(p.port)));
  return ofKind(objs, 'PodMonitor').flatMap((pm) => {
    const s = spec(pm);
    const namespaces = isObj(s.namespaceSelector) ? ((s.namespaceSelector.matchNames as string[] | undefined) ?? []) : [];
    const endpoints = (s.podMetricsEndpoints as Json[] | undefined) ?? [];
    return namespaces.filter((ns) => teamNamespaces.has(ns)).flatMap((ns) =>
      endpoints.flatMap((e) => {
        if (typeof e.portNumber !== 'number') return [`${id(pm)}: endpoint port "${String(e.port)}" into team namespace ${ns} is a name; use portNumber so the NetworkPolicy can be checked`];
        return allowed(ns).includes(e.portNumber) ? [] : [`${id(pm)}: port ${e.portNumber} in ${ns} is not open to ${monitoringNamespace} (allowed: ${allowed(ns).join(', ') || 'none'})`];
      }),
    );
  });
}

/** Metric sources the scrape objects of the output provide (matched back to the documented targets). */
export function providedSources(objs: readonly ManifestObject[]): Set<MetricSource> {
  const out = new Set<MetricSource>(Object.entries(METRIC_SOURCES).filter(([, s]) => s.builtIn).map(([k]) => k as MetricSource));
  const add = (e: ScrapeEndpoint | undefined) => {
    if (e?.provides !== undefined) out.add(e.provides);
  };
  for (const sm of ofKind(objs, 'ServiceMonitor')) {
    const s = spec(sm);
    const selector = isObj(s.selector) && isObj(s.selector.matchLabels) ? s.selector.matchLabels : {};
    const namespaces = isObj(s.namespaceSelector) ? ((s.namespaceSelector.matchNames as string[] | undefined) ?? []) : [];
    const ports = ((s.endpoints as Json[] | undefined) ?? []).map((e) => String(e.port));
    for (const d of ADDON_SERVICES) if (namespaces.includes(d.namespace) && subset(selector, d.serviceLabels) && ports.includes(d.endpoint.port ?? '')) add(d.endpoint);
  }
  for (const pm of ofKind(objs, 'PodMonitor')) {
    const s = spec(pm);
    const endpoints = (s.podMetricsEndpoints as Json[] | undefined) ?? [];
    for (const t of POD_TARGETS) {
      const same = JSON.stringify(s.selector) === JSON.stringify({ ...(t.matchLabels ? { matchLabels: t.matchLabels } : {}), ...(t.matchExpressions ? { matchExpressions: t.matchExpressions } : {}) });
      if (!same) continue;
      for (const e of endpoints) add(t.endpoints.find((te) => (te.portNumber !== undefined && te.portNumber === e.portNumber) || (te.port !== undefined && te.port === e.port)));
    }
  }
  return out;
}

/** Every metric a rule or dashboard reads is in the catalogue and provided on this cluster (scraped, or recorded by a rule here). */
export function unprovidedMetrics(objs: readonly ManifestObject[]): string[] {
  const sources = providedSources(objs);
  const recorded = new Set(rulesOf(objs).flatMap((r) => (r.record === undefined ? [] : [r.record])));
  return [...rulesOf(objs), ...dashboardQueries(objs)].flatMap((q) =>
    selectedMetrics(q.expr).flatMap((name) => {
      const entry = catalogueEntry(name);
      if (entry === undefined) return [`${q.where}: ${name} is not in the metric catalogue`];
      if (entry.source === 'recording-rule') return recorded.has(entry.name) ? [] : [`${q.where}: ${name} is recorded by no rule on this cluster`];
      return sources.has(entry.source) ? [] : [`${q.where}: ${name} comes from ${entry.source}, which nothing scrapes on this cluster`];
    }),
  );
}

export const ALL_OBSERVABILITY_CHECKS = { unparsableExpressions, incompleteAlerts, unmatchedServiceMonitors, blockedPodScrapes, unprovidedMetrics } as const;
