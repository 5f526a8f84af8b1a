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
 * Thresholds come from each environment's spec, so the cases follow it.
 * Run: `npm run test:upstream -- prometheus-rules`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadEnvironment } from '../../environments';
import { ensureTools } from '../tools/build';
import { ALERT_CASES, AlertCase, burnPairs } from './prometheus/alert-cases';
import { checkRules, scratchDir, testRules, writeRuleFiles, writeYaml } from './prometheus/promtool';
import { alertsOf, distinctRuleSets, everyClusterRules, RuleJson, RuleSet } from './prometheus/rule-files';
import { durationMinutes } from './prometheus/series';
import { alertTestGroup, expectedAnnotations, unitTestFile } from './prometheus/unit-tests';

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
  if (work !== '') fs.rmSync(work, { recursive: true, force: true });
  process.stderr.write(`\n[prometheus-rules] ${FIGURES.join('\n[prometheus-rules] ')}\n[prometheus-rules] suite ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
});

const thresholdsOf = (set: RuleSet) => loadEnvironment(set.env).observability;

function casesFor(set: RuleSet, rule: RuleJson): AlertCase[] {
  const builder = ALERT_CASES[rule.alert ?? ''];
  if (builder === undefined) return [];
  return builder({ t: thresholdsOf(set).alerts, expr: rule.expr, forMinutes: durationMinutes(rule.for ?? '0m') });
}

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
        const of = cases.filter((c) => c.windows === pair);
        if (!of.some((c) => c.expect.length > 0) || !of.some((c) => c.expect.length === 0)) problems.push(`${name}: window pair ${pair} needs a firing and a silent case`);
      }
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

const ALERT_ROWS = RULE_SETS.flatMap((set) => alertsOf(set.files).map((rule) => [`${set.clusters[0]} (${set.clusters.length} clusters) ${rule.alert ?? ''}`, set, rule] as const));

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
