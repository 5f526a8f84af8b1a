import { ENV_NAMES, rendered } from '../../support/synth';
import { ManifestObject } from '../../../stacks/manifests';
import { RuleGroupJson, RuleJson } from '../../../constructs/observability/prometheus-rule';

export type { RuleGroupJson, RuleJson };

/**
 * The PrometheusRules and dashboard ConfigMaps of every synthesized cluster, as promtool reads them:
 * a PrometheusRule's spec is a Prometheus rule file (`groups:`), one file per object.
 */

export interface RuleFile {
  /** PrometheusRule object name, e.g. ml-platform-alerts. */
  readonly name: string;
  readonly groups: readonly RuleGroupJson[];
}

export interface DashboardJson {
  /** ConfigMap name. */
  readonly name: string;
  readonly uid: string;
  readonly panels: readonly { readonly title: string; readonly targets: readonly { readonly expr: string; readonly instant?: boolean }[] }[];
  /** Query variables: `label_values(metric, label)`. */
  readonly variables: readonly { readonly name: string; readonly definition: string }[];
}

export interface ClusterRules {
  readonly env: string;
  readonly cluster: string;
  readonly files: readonly RuleFile[];
  readonly dashboards: readonly DashboardJson[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function ruleFile(o: ManifestObject): RuleFile {
  const spec = isRecord(o.spec) ? o.spec : {};
  const groups = Array.isArray(spec.groups) ? spec.groups : [];
  return { name: o.metadata.name, groups: groups as RuleGroupJson[] };
}

function dashboards(objs: readonly ManifestObject[]): DashboardJson[] {
  return objs
    .filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1')
    .flatMap((o) =>
      Object.values((o.data as Record<string, string> | undefined) ?? {}).map((text): DashboardJson => {
        const json = JSON.parse(text) as { uid: string; panels: DashboardJson['panels']; templating?: { list?: { name: string; type: string; definition?: string }[] } };
        const variables = (json.templating?.list ?? []).filter((v) => v.type === 'query').map((v) => ({ name: v.name, definition: v.definition ?? '' }));
        return { name: o.metadata.name, uid: json.uid, panels: json.panels, variables };
      }),
    );
}

export function clusterRules(env: string): ClusterRules[] {
  return rendered(env).map((c) => {
    const objs = c.files.flatMap((f) => [...f.objects]);
    return {
      env,
      cluster: c.cluster.name,
      files: objs.filter((o) => o.kind === 'PrometheusRule' && o.apiVersion.startsWith('monitoring.coreos.com/')).map(ruleFile),
      dashboards: dashboards(objs),
    };
  });
}

/** Every cluster of every environment. */
export const everyClusterRules = (): ClusterRules[] => ENV_NAMES.flatMap(clusterRules);

/** Clusters whose rule files are identical share one rule set (tested once). */
export interface RuleSet {
  readonly id: string;
  readonly clusters: readonly string[];
  readonly env: string;
  readonly files: readonly RuleFile[];
}

export function distinctRuleSets(all: readonly ClusterRules[]): RuleSet[] {
  const byKey = new Map<string, { env: string; clusters: string[]; files: readonly RuleFile[] }>();
  for (const c of all) {
    const key = JSON.stringify(c.files);
    const entry = byKey.get(key) ?? { env: c.env, clusters: [], files: c.files };
    entry.clusters.push(`${c.env}/${c.cluster}`);
    byKey.set(key, entry);
  }
  return [...byKey.values()].map((e, i) => ({ id: `ruleset-${i + 1}`, ...e }));
}

export const alertsOf = (files: readonly RuleFile[]): RuleJson[] => files.flatMap((f) => f.groups.flatMap((g) => g.rules.filter((r) => r.alert !== undefined)));
export const recordsOf = (files: readonly RuleFile[]): RuleJson[] => files.flatMap((f) => f.groups.flatMap((g) => g.rules.filter((r) => r.record !== undefined)));
