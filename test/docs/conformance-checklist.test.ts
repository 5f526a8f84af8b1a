import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The README's AI Conformance table claims nothing no test shows: every requirement id once, a
 * known status, every done or partial row names test files, and every named test file exists.
 */
const ROOT = path.join(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The v1.35 checklist's ids and the SHOULDs v1.37 adds. */
const IDS = [
  'dra_support', 'driver_runtime_management', 'gpu_sharing', 'virtualized_accelerator', 'ai_inference', 'gang_scheduling', 'cluster_autoscaling', 'pod_autoscaling',
  'accelerator_metrics', 'ai_service_metrics', 'secure_accelerator_access', 'robust_controller', 'advanced_inference_ingress', 'high_performance_networking',
  'disaggregated_inference', 'workload_sandboxing',
];
const STATUSES = ['done', 'partial', 'provider', 'not done'];

interface Row {
  readonly id: string;
  readonly level: string;
  readonly status: string;
  readonly tests: readonly string[];
}

function rows(): Row[] {
  const m = /<!-- conformance:start -->([\s\S]*?)<!-- conformance:end -->/.exec(README);
  if (m === null) throw new Error('README.md has no conformance table between <!-- conformance:start --> and <!-- conformance:end -->');
  return m[1]
    .split('\n')
    .filter((l) => /^\| `/.test(l))
    .map((l) => {
      const cells = l.split('|').slice(1, -1).map((c) => c.trim());
      return { id: cells[0].replace(/`/g, ''), level: cells[1], status: cells[2], tests: [...cells[4].matchAll(/`(test\/[^`]+\.test\.ts)`/g)].map((x) => x[1]) };
    });
}

function problems(table: readonly Row[]): string[] {
  return table.flatMap((r) => [
    ...((r.status === 'done' || r.status === 'partial') && r.tests.length === 0 ? [`${r.id}: ${r.status} but names no test file`] : []),
    ...r.tests.filter((t) => !fs.existsSync(path.join(ROOT, t))).map((t) => `${r.id}: names ${t}, which does not exist`),
  ]);
}

describe('README AI Conformance checklist', () => {
  const table = rows();

  it('lists every requirement exactly once', () => {
    expect(table.map((r) => r.id).sort()).toEqual([...IDS].sort());
  });

  it('gives each row a level and a known status', () => {
    for (const r of table) {
      expect(r.level).toMatch(/^(MUST|SHOULD)/);
      expect(STATUSES).toContain(r.status);
    }
  });

  it('names test files for every done or partial row, and every named file exists', () => {
    expect(problems(table)).toEqual([]);
  });

  it('catches a done row without tests and a row naming a missing file', () => {
    expect(problems([{ id: 'x', level: 'MUST', status: 'done', tests: [] }, { id: 'y', level: 'MUST', status: 'partial', tests: ['test/upstream/no-such-suite.test.ts'] }])).toEqual([
      'x: done but names no test file',
      'y: names test/upstream/no-such-suite.test.ts, which does not exist',
    ]);
  });
});
