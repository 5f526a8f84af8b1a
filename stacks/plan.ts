import * as path from 'node:path';
import { loadEnvironment } from '../environments';
import { renderEnvironment } from './manifests';
import { EnvironmentPlan, formatPlan, hasChanges, planEnvironment, readSynthTree, synthAtRef, SynthTree, treeOfRender } from './planning';

/**
 * `npm run plan -- <env> [--against <dir> | --ref <git-ref>]`: what the current spec would change
 * against a previous synth. Exit code as `terraform plan -detailed-exitcode`: 0 no changes,
 * 2 changes, 1 error, so CI can ask "does this pull request change the clusters?".
 */
const USAGE = [
  'usage: npm run plan -- <environment> [--against <dir> | --ref <git-ref>]',
  '  --against <dir>  a previous synth output (default: dist, what `npm run synth` last wrote)',
  '  --ref <git-ref>  synthesize the environment as it was at a branch, tag or commit, in a temporary worktree',
  'exit code: 0 no changes, 2 changes, 1 error',
].join('\n');

export interface PlanArgs {
  readonly env: string;
  readonly against?: string;
  readonly ref?: string;
}

/** Parses the command line; throws with the usage on anything it does not understand. */
export function parsePlanArgs(argv: readonly string[]): PlanArgs {
  let env: string | undefined;
  let against: string | undefined;
  let ref: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--against' || a === '--ref') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new Error(`${a} needs a value\n${USAGE}`);
      if (a === '--against') against = value;
      else ref = value;
    } else if (a.startsWith('--')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else if (env === undefined) env = a;
    else throw new Error(`one environment at a time (got "${env}" and "${a}")\n${USAGE}`);
  }
  if (env === undefined) throw new Error(`no environment given\n${USAGE}`);
  if (against !== undefined && ref !== undefined) throw new Error(`--against and --ref are two different baselines: give one\n${USAGE}`);
  return { env, against, ref };
}

/** The plan of one environment; the spec is validated before any baseline is read or built. */
export function planFor(args: PlanArgs, repo: string = process.cwd()): { plan: EnvironmentPlan; against: string } {
  const current = treeOfRender(renderEnvironment(loadEnvironment(args.env)));
  let baseline: SynthTree;
  let against: string;
  if (args.ref !== undefined) {
    baseline = synthAtRef(repo, args.ref, args.env);
    against = `git ref ${args.ref}`;
  } else {
    const dir = args.against ?? path.join(repo, 'dist');
    baseline = readSynthTree(dir, args.env);
    against = path.relative(repo, dir) || '.';
  }
  return { plan: planEnvironment(baseline, current), against };
}

/** Runs the command: prints the plan or the error, returns the exit code. */
export function runPlan(argv: readonly string[], out: (text: string) => void = console.log, err: (text: string) => void = console.error, repo?: string): number {
  try {
    const args = parsePlanArgs(argv);
    const { plan, against } = planFor(args, repo);
    out(formatPlan(args.env, against, plan));
    return hasChanges(plan) ? 2 : 0;
  } catch (e) {
    err(e instanceof Error ? e.message : String(e));
    return 1;
  }
}

if (require.main === module) process.exitCode = runPlan(process.argv.slice(2));
