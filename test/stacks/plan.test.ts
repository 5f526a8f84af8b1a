import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ENVIRONMENTS, parseSpec, PlatformSpecInput } from '../../environments';
import { renderEnvironment, toYaml } from '../../stacks/manifests';
import { parsePlanArgs, runPlan } from '../../stacks/plan';

const REPO = path.join(__dirname, '..', '..');

/** Writes a synth of `input` the way `npm run synth` lays it out. */
function writeSynth(outdir: string, input: PlatformSpecInput): void {
  for (const { cluster, files } of renderEnvironment(parseSpec(input, input.name))) {
    const dir = path.join(outdir, input.name, cluster.name);
    fs.mkdirSync(dir, { recursive: true });
    for (const f of files) fs.writeFileSync(path.join(dir, f.name), toYaml(f.objects));
  }
}

function capture(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runPlan(argv, (t) => (out += t), (t) => (err += t), REPO);
  return { code, out, err };
}

describe('npm run plan', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hml-plan-test-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('exits 0 and says so when the spec renders what the baseline holds', () => {
    const dir = path.join(work, 'same');
    writeSynth(dir, structuredClone(ENVIRONMENTS.dev));
    const r = capture(['dev', '--against', dir]);
    expect(r).toEqual({ code: 0, out: expect.stringMatching(/^dev: no changes on 1 cluster/m), err: '' });
  });

  it('exits 2 with per-object, per-field lines when the spec changed since the baseline', () => {
    // The baseline was synthesized from a spec with a smaller serving quota (still holding dev's LLM service); the current spec raised it.
    const old = structuredClone(ENVIRONMENTS.dev) as PlatformSpecInput & { teams: { quotas: { serving: { memoryGiB: number } } }[] };
    old.teams[0].quotas.serving.memoryGiB = 12;
    const dir = path.join(work, 'older');
    writeSynth(dir, old);
    const r = capture(['dev', '--against', dir]);
    expect(r.code).toBe(2);
    expect(r.out).toContain('  ~ core/ResourceQuota research-serving/stage-budget\n      ~ spec.hard["limits.memory"]: "12Gi" -> "16Gi"');
    expect(r.out).toMatch(/^dev: 0 to add, \d+ to change, 0 to remove on 1 of 1 cluster \(against /m);
  });

  it('exits 1 naming what to run when the baseline was never synthesized', () => {
    const r = capture(['staging', '--against', path.join(work, 'empty')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no previous synth of "staging" in .*empty\/staging: run `npm run synth:all`/);
  });

  it('refuses bad arguments with the usage', () => {
    expect(() => parsePlanArgs([])).toThrow(/no environment given\nusage: npm run plan -- <environment>/);
    expect(() => parsePlanArgs(['dev', 'prod'])).toThrow(/one environment at a time \(got "dev" and "prod"\)/);
    expect(() => parsePlanArgs(['dev', '--ref'])).toThrow(/--ref needs a value/);
    expect(() => parsePlanArgs(['dev', '--against', 'a', '--ref', 'b'])).toThrow(/give one/);
    expect(() => parsePlanArgs(['dev', '--diff'])).toThrow(/unknown option --diff/);
    expect(capture(['nope', '--against', work]).err).toMatch(/unknown environment "nope"/);
    expect(capture(['dev', '--ref', 'no-such-ref-xyz']).err).toMatch(/--ref no-such-ref-xyz: not a commit/);
  });

  it('synthesizes a git ref in a temporary worktree and removes it afterwards', () => {
    // Only the plan's own temporary worktrees (hml-plan-*) count: other checkouts may come and go meanwhile.
    const worktrees = () => execFileSync('git', ['worktree', 'list', '--porcelain'], { cwd: REPO, encoding: 'utf8' }).split('\n').filter((l) => /^worktree .*\/hml-plan-[^/]+\/tree$/.test(l));
    const before = worktrees();
    const r = capture(['dev', '--ref', 'HEAD']);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/against git ref HEAD\)$/);
    // HEAD's own code rendered HEAD's spec: when the working tree's product code is HEAD's, nothing changes.
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'environments', 'constructs', 'stacks'], { cwd: REPO, encoding: 'utf8' });
    if (dirty === '') expect(r.code).toBe(0);
    else expect([0, 2]).toContain(r.code);
    expect(worktrees()).toEqual(before);
  }, 120000);
});
