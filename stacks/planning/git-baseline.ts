import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readSynthTree, SynthTree } from './synth-tree';

const run = (cmd: string, args: readonly string[], cwd: string): string =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * Synthesizes an environment as it was at a git ref: a detached worktree in the temp directory,
 * compiled with this checkout's node_modules, its own synth run there, the tree read, the worktree
 * removed. The ref's own code renders its own spec, so the comparison is what a merge would change.
 */
export function synthAtRef(repo: string, ref: string, env: string): SynthTree {
  try {
    run('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], repo);
  } catch {
    throw new Error(`--ref ${ref}: not a commit in ${repo} (give a branch, tag or commit, e.g. --ref origin/main)`);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hml-plan-'));
  const tree = path.join(work, 'tree');
  try {
    run('git', ['worktree', 'add', '--detach', '--quiet', tree, ref], repo);
    fs.symlinkSync(path.join(repo, 'node_modules'), path.join(tree, 'node_modules'), 'dir');
    run(path.join(repo, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], tree);
    try {
      run(process.execPath, [path.join('build', 'stacks', 'synth.js'), env], tree);
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      throw new Error(`synth of "${env}" at ${ref} failed: ${stderr.trim() || String(err)}`);
    }
    return readSynthTree(path.join(tree, 'dist'), env);
  } finally {
    try {
      run('git', ['worktree', 'remove', '--force', tree], repo);
    } catch {
      // The worktree was never added; nothing to unregister.
    }
    fs.rmSync(work, { recursive: true, force: true });
  }
}
