/**
 * The platform's alerts, recording rules and dashboard queries run by the real Prometheus engine:
 * promtool (built from github.com/prometheus/prometheus at TEST_TOOLCHAIN.promtool, test/tools/).
 *   - `promtool check rules --lint=all --lint-fatal` over every PrometheusRule of every cluster of
 *     every environment, as synthesized;
 *   - `promtool test rules` for every alert of every distinct rule set: histories that must fire it
 *     (labels and expanded annotations, runbook_url included, asserted) and histories just on the
 *     quiet side of its threshold or duration; both window pairs of each burn-rate alert;
 *   - every recording rule and every dashboard panel query evaluated against a synthetic fleet that
 *     mirrors one environment's pools and teams, with exact expected values;
 *   - an alert, recording rule or panel query without cases fails.
 * Thresholds come from each environment's spec, so the cases follow it (and the alert cases run
 * once more against rules built from non-default thresholds).
 * Run: `npm run test:upstream -- prometheus-rules` (KEEP_PROMTOOL_FILES=1 keeps the promtool files).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadEnvironment } from '../../environments';
import { alertGroups } from '../../constructs/observability/alert-rules';
import { alertRuleJson, recordingRuleJson } from '../../constructs/observability/prometheus-rule';
import { RECORDING_GROUPS, RECORDING_INTERVAL_MINUTES } from '../../constructs/observability/recording-rules';
import { AlertThresholds, alertThresholdsSchema } from '../../environments/observability-schema';
import { ensureTools } from '../tools/build';
import { ALERT_CASES, AlertCase, burnPairs } from './prometheus/alert-cases';
import { Fleet, FLEET_MINUTES, FleetShape, inputSeries } from './prometheus/fleet';
import { Expectation, heldGpuHours, PANEL_EXPECTATIONS, RECORDING_EXPECTATIONS, substituteVariables, VARIABLE_EXPECTATIONS, variableQuery } from './prometheus/fleet-expectations';
import { checkRules, scratchDir, testRules, writeRuleFiles, writeYaml } from './prometheus/promtool';
import { alertsOf, ClusterRules, distinctRuleSets, everyClusterRules, recordsOf, RuleJson, RuleSet } from './prometheus/rule-files';
import { durationMinutes, minutesToDuration } from './prometheus/series';
import { alertTestGroup, expectedAnnotations, labelsOf, onGrid, roundedExpr, TestGroup, unitTestFile } from './prometheus/unit-tests';
import { rendered } from '../support/synth';

const CLUSTERS = everyClusterRules();
const RULE_SETS = distinctRuleSets(CLUSTERS);
const FIGURES: string[] = [];
const started = Date.now();
let promtool = '';
let work = '';

beforeAll(async () => {
  const t0 = Date.now();
  promtool = (await ensureTools()).promtool;
  FIGURES.push(`promtool ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${promtool}`);
  work = scratchDir('prometheus-rules');
}, 900000);

afterAll(() => {
  // KEEP_PROMTOOL_FILES=1 keeps the rule and unit-test files to rerun promtool by hand.
  if (work !== '' && process.env.KEEP_PROMTOOL_FILES !== '1') fs.rmSync(work, { recursive: true, force: true });
  else if (work !== '') FIGURES.push(`promtool files kept in ${work}`);
  process.stderr.write(`\n[prometheus-rules] ${FIGURES.join('\n[prometheus-rules] ')}\n[prometheus-rules] suite ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
});

const BURN_FACTORS: Readonly<Record<string, number>> = { '1h/5m': 14.4, '6h/30m': 6, '1d/2h': 3, '3d/6h': 1 };

/** A rule set, with the thresholds its rules were built from when they are not an environment's. */
type TestedSet = RuleSet & { readonly alerts?: AlertThresholds };
const thresholdsOf = (set: RuleSet) => loadEnvironment(set.env).observability;

function casesFor(set: TestedSet, rule: RuleJson): AlertCase[] {
  const builder = ALERT_CASES[rule.alert ?? ''];
  if (builder === undefined) return [];
  return builder({ t: set.alerts ?? thresholdsOf(set).alerts, expr: rule.expr, forMinutes: durationMinutes(rule.for ?? '0m') });
}

/**
 * Every threshold away from its default, the rules built from them by the product code: the cases
 * must follow, or they do not come from the spec.
 */
const ALT_THRESHOLDS: AlertThresholds = alertThresholdsSchema.parse({
  gpuIdlePercent: 20,
  gpuIdleMinutes: 45,
  gpuMemoryFullPercent: 90,
  gpuTemperatureCelsius: 80,
  queuePendingMinutes: 30,
  clusterQueueQuotaPercent: 80,
  namespaceQuotaPercent: 85,
  servingLatencyP95Ms: 250,
  servingAvailabilityPercent: 99.9,
  driftScoreThreshold: 0.3,
  driftMinSamples: 1000,
  notebookIdleHours: 12,
  llmTtftP95Ms: 1500,
  llmItlP95Ms: 80,
  llmQueueTimeP95Ms: 400,
  llmKvCacheFullPercent: 85,
  llmAvailabilityPercent: 99.9,
});
const ALT_SET: TestedSet = {
  id: 'alt-thresholds',
  clusters: ['non-default thresholds'],
  env: 'staging',
  alerts: ALT_THRESHOLDS,
  files: [
    { name: 'ml-platform-recording-rules', groups: RECORDING_GROUPS.map((g) => ({ name: g.name, interval: `${RECORDING_INTERVAL_MINUTES}m`, rules: g.rules.map(recordingRuleJson) })) },
    { name: 'ml-platform-alerts', groups: alertGroups(ALT_THRESHOLDS).map((g) => ({ name: g.name, rules: g.rules.map((r) => alertRuleJson(r, 'docs/runbooks.md')) })) },
  ],
};

/** The rule files of a set, written once into the scratch directory. */
const written = new Map<string, string[]>();
function ruleFilePaths(set: RuleSet): string[] {
  let paths = written.get(set.id);
  if (paths === undefined) {
    paths = writeRuleFiles(path.join(work, set.id), set.files);
    written.set(set.id, paths);
  }
  return paths;
}

describe('promtool check rules --lint=all', () => {
  it.each(CLUSTERS.map((c) => [`${c.env}/${c.cluster}`, c] as const))('%s: every PrometheusRule is clean', (_name, c) => {
    expect(c.files.length).toBeGreaterThan(0);
    const paths = writeRuleFiles(path.join(work, 'check', `${c.env}-${c.cluster}`), c.files);
    const res = checkRules(promtool, paths);
    if (!res.ok) throw new Error(`promtool check rules failed (exit ${res.status}):\n${res.output}`);
    // Every file is reported SUCCESS with its rule count, and nothing else (no lint findings).
    const found = [...res.output.matchAll(/SUCCESS: (\d+) rules found/g)].map((m) => Number(m[1]));
    expect(found).toEqual(c.files.map((f) => f.groups.reduce((n, g) => n + g.rules.length, 0)));
    expect(res.output).not.toMatch(/lint|duplicate|error/i);
  });
});

describe('every alert has cases', () => {
  it.each(RULE_SETS.map((s) => [s.clusters.join(', '), s] as const))('%s: a firing and a quiet case per alert; both burn-rate window pairs', (_name, set) => {
    const problems: string[] = [];
    for (const rule of alertsOf(set.files)) {
      const name = rule.alert ?? '';
      if (ALERT_CASES[name] === undefined) {
        problems.push(`${name}: no cases in test/upstream/prometheus/alert-cases.ts (ALERT_CASES)`);
        continue;
      }
      const cases = casesFor(set, rule);
      if (!cases.some((c) => c.expect.length > 0)) problems.push(`${name}: no case where it fires`);
      if (!cases.some((c) => c.expect.length === 0)) problems.push(`${name}: no case where it stays silent`);
      for (const p of burnPairs(rule.expr)) {
        const pair = `${p.long}/${p.short}`;
        // The windows and burn factors of the SRE workbook's multiwindow, multi-burn-rate alerts, times the spec's error budget.
        const factor = BURN_FACTORS[pair];
        const t = thresholdsOf(set).alerts;
        const budget = 1 - (name.startsWith('Llm') ? t.llmAvailabilityPercent : t.servingAvailabilityPercent) / 100;
        if (factor === undefined) problems.push(`${name}: window pair ${pair} is not one of ${Object.keys(BURN_FACTORS).join(', ')}`);
        else if (Math.abs(p.threshold - factor * budget) > 1e-12) problems.push(`${name}: ${pair} compares with ${p.threshold}, not ${factor} x the ${budget} budget`);
        const of = cases.filter((c) => c.windows === pair);
        if (!of.some((c) => c.expect.length > 0) || !of.some((c) => c.expect.length === 0)) problems.push(`${name}: window pair ${pair} needs a firing and a silent case`);
      }
      if (name === 'GpuAllocatedButIdle' && rule.for !== `${thresholdsOf(set).alerts.gpuIdleMinutes}m`) problems.push(`${name}: for ${rule.for} is not the spec's gpuIdleMinutes`);
      const base = thresholdsOf(set).runbookBaseUrl;
      if (rule.annotations?.runbook_url !== `${base}#${name.toLowerCase()}`) problems.push(`${name}: runbook_url ${rule.annotations?.runbook_url} is not ${base}#${name.toLowerCase()}`);
      for (const c of cases) {
        for (const e of c.expect) {
          for (const [k, v] of Object.entries(expectedAnnotations(rule, e.labels, e.value))) if (v.includes('<no value>')) problems.push(`${name} "${c.name}": annotation ${k} expands to "${v}"`);
        }
      }
    }
    const unknown = Object.keys(ALERT_CASES).filter((a) => !RULE_SETS.some((s) => alertsOf(s.files).some((r) => r.alert === a)));
    for (const a of unknown) problems.push(`${a}: has cases but no environment ships it`);
    expect(problems).toEqual([]);
  });
});

const ALERT_ROWS = [...RULE_SETS, ALT_SET].flatMap((set: TestedSet) =>
  alertsOf(set.files).map((rule) => [`${set.clusters[0]}${set.clusters.length > 1 ? ` (${set.clusters.length} clusters)` : ''} ${rule.alert ?? ''}`, set, rule] as const),
);

describe('promtool test rules: alerts', () => {
  it.each(ALERT_ROWS)('%s', (_name, set, rule) => {
    const cases = casesFor(set, rule);
    expect(cases.length).toBeGreaterThan(0);
    const paths = ruleFilePaths(set);
    const file = path.join(work, set.id, `alert-${rule.alert ?? ''}.test.yaml`);
    writeYaml(file, unitTestFile(paths.map((p) => path.basename(p)), set.files, cases.map((c) => alertTestGroup(rule, c))));
    const t0 = Date.now();
    const res = testRules(promtool, file);
    FIGURES.push(`${set.id} ${rule.alert}: ${cases.filter((c) => c.expect.length > 0).length} firing + ${cases.filter((c) => c.expect.length === 0).length} silent cases, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (!res.ok) throw new Error(`promtool test rules ${file} failed:\n${res.output}`);
    expect(res.output).toMatch(/SUCCESS/);
  });
});

// ---- the synthetic fleet: recording rules, dashboards, and no alert on a healthy fleet ----

const FLEET_ENV = 'staging';
const fleetCluster = (): ClusterRules => {
  const primary = loadEnvironment(FLEET_ENV).clusters.find((c) => c.role === 'primary');
  const c = CLUSTERS.find((x) => x.env === FLEET_ENV && x.cluster === primary?.name);
  if (c === undefined) throw new Error(`no primary cluster in ${FLEET_ENV}`);
  return c;
};
const FLEET_CLUSTER = fleetCluster();
const FLEET_SET = RULE_SETS.find((s) => s.clusters.includes(`${FLEET_CLUSTER.env}/${FLEET_CLUSTER.cluster}`)) as RuleSet;

/** The fleet's shape from the environment as synthesized: pools, team namespaces, ClusterQueues, GPU quotas. */
function fleetShape(): FleetShape {
  const spec = loadEnvironment(FLEET_ENV);
  const cluster = spec.clusters.find((c) => c.name === FLEET_CLUSTER.cluster);
  const objs = rendered(FLEET_ENV).find((c) => c.cluster.name === FLEET_CLUSTER.cluster)?.files.flatMap((f) => [...f.objects]) ?? [];
  const label = (o: (typeof objs)[number], k: string) => o.metadata.labels?.[k];
  return {
    pools: (cluster?.gpuPools ?? []).map((p) => ({ name: p.name, gpusPerNode: p.gpusPerNode, nodes: Math.min(2, Math.max(1, p.minNodes)), model: `NVIDIA ${p.gpuModel}` })),
    teams: spec.teams.map((t) => {
      const namespaces = Object.fromEntries(objs.filter((o) => o.kind === 'Namespace' && label(o, 'ml.platform/team') === t.name).map((o) => [label(o, 'ml.platform/stage') ?? '', o.metadata.name]));
      const cq = objs.find((o) => o.kind === 'ClusterQueue' && JSON.stringify(o.spec).includes(`"ml.platform/team":"${t.name}"`) && !JSON.stringify(o.spec).includes('admissionChecks'));
      const gpuQuota = Object.fromEntries(
        objs
          .filter((o) => o.kind === 'ResourceQuota' && Object.values(namespaces).includes(o.metadata.namespace ?? ''))
          .map((o) => [o.metadata.namespace ?? '', Number(((o.spec as { hard?: Record<string, string> } | undefined)?.hard ?? {})['requests.nvidia.com/gpu'] ?? 0)]),
      );
      return { name: t.name, clusterQueue: cq?.metadata.name ?? t.name, namespaces, gpuQuota };
    }),
  };
}

interface FleetCheck {
  readonly key: string;
  readonly expr: string;
  readonly samples: readonly { labels: string; value: number }[];
}

const panelTargets = (c: ClusterRules) =>
  c.dashboards.flatMap((d) => d.panels.flatMap((p) => p.targets.map((t, i) => ({ key: `${d.uid}/${p.title}/${String.fromCharCode(65 + i)}`, expr: t.expr }))));

let fleetRun: { output: string; ok: boolean } | undefined;
const FLEET = new Fleet(fleetShape());

const variables = (c: ClusterRules) => c.dashboards.flatMap((d) => d.variables.map((v) => ({ key: `${d.uid}/$${v.name}`, definition: v.definition })));

function fleetChecks(): { recording: FleetCheck[]; panels: FleetCheck[]; variables: FleetCheck[] } {
  const toCheck = (key: string, expr: string, expect: Expectation | undefined): FleetCheck => ({
    key,
    expr: roundedExpr(expr),
    samples: (expect?.(FLEET) ?? []).map((s) => ({ labels: labelsOf(s.labels), value: onGrid(s.value) })),
  });
  return {
    recording: recordsOf(FLEET_SET.files).map((r) => toCheck(r.record ?? '', r.record ?? '', RECORDING_EXPECTATIONS[r.record ?? ''])),
    panels: panelTargets(FLEET_CLUSTER).map((t) => toCheck(t.key, substituteVariables(t.expr), PANEL_EXPECTATIONS[t.key])),
    variables: variables(FLEET_CLUSTER).map((v) => {
      const q = variableQuery(v.definition);
      return { key: v.key, expr: q.expr, samples: (VARIABLE_EXPECTATIONS[v.key]?.(FLEET) ?? []).map((value) => ({ labels: labelsOf({ [q.label]: value }), value: 1 })) };
    }),
  };
}

/** One promtool run over the fleet: every recording rule and panel query, and every alert silent. */
function runFleet(): { output: string; ok: boolean } {
  if (fleetRun !== undefined) return fleetRun;
  const { recording, panels, variables: vars } = fleetChecks();
  const paths = ruleFilePaths(FLEET_SET);
  const file = path.join(work, FLEET_SET.id, 'fleet.test.yaml');
  const evalTime = minutesToDuration(FLEET_MINUTES);
  const group: TestGroup = {
    name: `synthetic fleet shaped like ${FLEET_ENV}/${FLEET_CLUSTER.cluster}`,
    interval: '1m',
    input_series: FLEET.series().map(inputSeries),
    promql_expr_test: [...recording, ...panels, ...vars].map((c) => ({ expr: c.expr, eval_time: evalTime, exp_samples: c.samples })),
    alert_rule_test: alertsOf(FLEET_SET.files).map((r) => ({ eval_time: evalTime, alertname: r.alert ?? '', exp_alerts: [] })),
  };
  writeYaml(file, unitTestFile(paths.map((p) => path.basename(p)), FLEET_SET.files, [group]));
  const t0 = Date.now();
  const res = testRules(promtool, file);
  FIGURES.push(`fleet: ${group.input_series.length} series x ${FLEET_MINUTES + 1} min, ${recording.length} recording rules + ${panels.length} panel queries + ${vars.length} variables + ${group.alert_rule_test?.length ?? 0} silent alerts in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  fleetRun = { output: res.output, ok: res.ok };
  return fleetRun;
}

/** promtool's report for one expression (it quotes the expression with Go's %q). */
const failureFor = (output: string, expr: string): string | undefined => {
  const at = output.indexOf(`expr: ${JSON.stringify(expr)}`);
  if (at < 0) return undefined;
  const next = output.indexOf('expr: "', at + 6);
  return output.slice(at, next < 0 ? undefined : next);
};

describe('every recording rule and panel query has an expected value', () => {
  it('recording rules of every cluster', () => {
    const tested = new Map(recordsOf(FLEET_SET.files).map((r) => [r.record ?? '', r.expr]));
    const problems: string[] = [];
    for (const set of RULE_SETS) {
      for (const r of recordsOf(set.files)) {
        const name = r.record ?? '';
        if (RECORDING_EXPECTATIONS[name] === undefined) problems.push(`${name}: no expected value in test/upstream/prometheus/fleet-expectations.ts (RECORDING_EXPECTATIONS)`);
        else if (tested.get(name) !== r.expr) problems.push(`${name} on ${set.clusters.join(', ')}: its expression differs from the one evaluated on the fleet (${FLEET_ENV}/${FLEET_CLUSTER.cluster})`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('panel queries of every dashboard of every cluster', () => {
    const tested = new Map(panelTargets(FLEET_CLUSTER).map((t) => [t.key, t.expr]));
    const problems: string[] = [];
    for (const c of CLUSTERS) {
      for (const t of panelTargets(c)) {
        if (PANEL_EXPECTATIONS[t.key] === undefined) problems.push(`${t.key}: no expected value in test/upstream/prometheus/fleet-expectations.ts (PANEL_EXPECTATIONS)`);
        else if (tested.get(t.key) !== t.expr) problems.push(`${t.key} on ${c.env}/${c.cluster}: its query differs from the one evaluated on the fleet`);
      }
    }
    for (const k of Object.keys(PANEL_EXPECTATIONS)) if (!tested.has(k)) problems.push(`${k}: expected value for a panel no dashboard has`);
    for (const c of CLUSTERS) for (const v of variables(c)) if (VARIABLE_EXPECTATIONS[v.key] === undefined) problems.push(`${v.key}: no expected values in VARIABLE_EXPECTATIONS`);
    expect(problems).toEqual([]);
  });

  it('every expectation is non-empty: each rule, panel and variable shows data on the fleet', () => {
    const { recording, panels, variables: vars } = fleetChecks();
    expect([...recording, ...panels, ...vars].filter((c) => c.samples.length === 0).map((c) => c.key)).toEqual([]);
  });

  it('GPU-hours per team over the range are the hours the team held GPUs', () => {
    const held = heldGpuHours(FLEET);
    const shown = PANEL_EXPECTATIONS['ml-gpu-cost/GPU-hours per team (range)/A'](FLEET);
    expect(Object.fromEntries(shown.map((s) => [s.labels.team, onGrid(s.value)]))).toEqual(Object.fromEntries([...held].map(([k, v]) => [k, onGrid(v)])));
  });
});

describe('promtool test rules: the synthetic fleet', () => {
  const { recording, panels, variables: vars } = fleetChecks();
  it.each(vars.map((c) => [c.key, c] as const))('variable %s', (_key, c) => {
    const failure = failureFor(runFleet().output, c.expr);
    if (failure !== undefined) throw new Error(`promtool: ${failure}`);
  });
  it.each(recording.map((c) => [c.key, c] as const))('recording rule %s', (_key, c) => {
    const run = runFleet();
    const failure = failureFor(run.output, c.expr);
    if (failure !== undefined) throw new Error(`promtool: ${failure}`);
    expect(run.output).not.toMatch(/err:|could not|error/i);
  });
  it.each(panels.map((c) => [c.key, c] as const))('panel %s', (_key, c) => {
    const run = runFleet();
    const failure = failureFor(run.output, c.expr);
    if (failure !== undefined) throw new Error(`promtool: ${failure}`);
  });
  it('no alert fires on the healthy fleet', () => {
    const run = runFleet();
    const fired = [...run.output.matchAll(/alertname: (\w+), time/g)].map((m) => m[1]);
    expect(fired).toEqual([]);
    // Other failures are the expression tests' (reported above); nothing else may go wrong.
    if (!run.ok && !/^\s*expr: /m.test(run.output)) throw new Error(`promtool test rules failed:\n${run.output}`);
    expect(run.output).not.toMatch(/err:|rule: /);
  });
});
