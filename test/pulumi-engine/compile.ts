/**
 * The Pulumi engine runs the compiled program (Pulumi.yaml: main build/stacks/pulumi/,
 * typescript: false). ensureCompiled() runs `tsc -p tsconfig.json` when any source the program
 * imports is newer than build/stacks/pulumi/index.js, so `npm run test:cluster` never deploys a
 * stale build.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../cluster/build';

const SOURCE_DIRS = ['stacks', 'environments', 'constructs'];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

export function ensureCompiled(): void {
  const root = repoRoot();
  const entry = path.join(root, 'build', 'stacks', 'pulumi', 'index.js');
  const built = fs.existsSync(entry) ? fs.statSync(entry).mtimeMs : 0;
  const source = Math.max(...SOURCE_DIRS.map((d) => newestSource(path.join(root, d))));
  if (built >= source) return;
  process.stderr.write('[pulumi-engine] build/ is older than the sources: running tsc -p tsconfig.json\n');
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const res = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' });
  // tsc emits even when another part of the tree has type errors; only a missing entry point is fatal.
  if (!fs.existsSync(entry) || fs.statSync(entry).mtimeMs < built) {
    throw new Error(`tsc did not produce ${entry}:\n${res.stdout}${res.stderr}`);
  }
  // Touch the entry so an unchanged tree is not recompiled (tsc rewrites only changed outputs).
  const now = new Date();
  fs.utimesSync(entry, now, now);
}
