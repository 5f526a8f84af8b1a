/**
 * Builds test binaries from Go wrapper modules (a go.mod that pins the upstream module, no code of
 * ours unless a target names its sources) and caches them outside the repository:
 *
 *   ${XDG_CACHE_HOME:-~/.cache}/hybrid-ml-platform/bin/<binary>-<version>-<hash>/<binary>
 *
 * <hash> covers the wrapper's go.mod + go.sum (+ its own sources) and the build recipe, so bumping
 * a pin yields a new directory and a rebuild; otherwise the cached binary is reused without even
 * invoking `go`. Shared by the control plane (test/cluster/build.ts), the Pulumi engine
 * (test/pulumi-engine/build.ts) and the chart and manifest tools (test/tools/build.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface GoTarget {
  /** Binary name in the cache. */
  readonly binary: string;
  /** Absolute path of the wrapper module. */
  readonly moduleDir: string;
  /** Package to build, relative to the wrapper module (a module path, or ./...). */
  readonly pkg: string;
  /** The version the binary is of (part of the cache path). */
  readonly version: string;
  /** -X flags stamping versions, as the upstream release build does. */
  readonly ldflags: readonly string[];
  /** Files of the wrapper besides go.mod/go.sum that go into the binary. @default none */
  readonly sources?: readonly string[];
  /** Writes generated inputs into the module before the build. @default nothing */
  readonly prepare?: (moduleDir: string) => void;
}

/** Bump to force a rebuild when the flags below change meaning. */
const RECIPE = 'v1';
/** Go >= 1.26: go.etcd.io/etcd/server/v3 v3.6.16 declares `go 1.26.0`. */
const MIN_GO = [1, 26] as const;

/** The repository root, found from this file whether it runs from test/ (ts-jest) or build/test/ (tsc). */
export function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'test', 'cluster', 'go', 'kubernetes', 'go.mod'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find test/cluster/go/ above ${__dirname}`);
  }
}

export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'hybrid-ml-platform');
}

const INSTALL_HINT = "install it from https://go.dev/dl/ (Debian's apt `golang` package is too old: bookworm ships Go 1.19)";

/** `go` from PATH, else the official tarball's location (often not on a CI PATH). */
export function goBinary(): string {
  const onPath = (process.env.PATH ?? '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, 'go')));
  return !onPath && fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';
}

export function goEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // Static binaries, like the upstream releases; also no C toolchain needed.
    CGO_ENABLED: '0',
    // Never fetch a different toolchain behind the user's back.
    GOTOOLCHAIN: 'local',
    // A go.work further up must not change what the wrapper modules resolve to.
    GOWORK: 'off',
    // go.sum is committed: fail instead of silently editing go.mod/go.sum.
    GOFLAGS: '-mod=readonly',
  };
}

/** Fail early, with a useful message, when no suitable Go is available. */
export function checkGo(): string {
  const res = spawnSync(goBinary(), ['env', 'GOVERSION'], { encoding: 'utf8', env: goEnv() });
  if (res.error && (res.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`Go >= ${MIN_GO.join('.')} is required to build the test binaries: \`go\` is not on PATH; ${INSTALL_HINT}`);
  }
  const version = (res.stdout ?? '').trim();
  const m = /^go(\d+)\.(\d+)/.exec(version);
  if (res.status !== 0 || !m) throw new Error(`Go >= ${MIN_GO.join('.')} is required to build the test binaries: \`go env GOVERSION\` failed (${res.stderr}); ${INSTALL_HINT}`);
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major < MIN_GO[0] || (major === MIN_GO[0] && minor < MIN_GO[1])) throw new Error(`Go >= ${MIN_GO.join('.')} is required to build the test binaries, found ${version}: ${INSTALL_HINT}`);
  return version;
}

/** Where a target's binary is (or will be) cached. */
export function cachedBinaryPath(target: GoTarget): string {
  const hash = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', ...(target.sources ?? [])]) hash.update(fs.readFileSync(path.join(target.moduleDir, f)));
  hash.update(JSON.stringify([RECIPE, target.pkg, target.ldflags]));
  return path.join(cacheRoot(), 'bin', `${target.binary}-${target.version}-${hash.digest('hex').slice(0, 12)}`, target.binary);
}

/** The version a wrapper go.mod requires of a module, or undefined. */
export function requiredVersion(goModFile: string, modulePath: string): string | undefined {
  const re = new RegExp(`^\\s*(?:require\\s+)?${modulePath.replace(/[.]/g, '\\.')}\\s+(\\S+)`, 'm');
  return re.exec(fs.readFileSync(goModFile, 'utf8'))?.[1];
}

async function buildOne(target: GoTarget, log: (msg: string) => void, index: number, total: number): Promise<void> {
  const dest = cachedBinaryPath(target);
  target.prepare?.(target.moduleDir);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  // Leftovers of interrupted builds.
  for (const f of fs.readdirSync(path.dirname(dest))) if (f.startsWith(`${target.binary}.tmp-`)) fs.rmSync(path.join(path.dirname(dest), f), { force: true });
  // Build to a temporary name and rename: an interrupted build never leaves a truncated binary
  // that a later run would take for a cached one. No VCS stamp: the wrapper sits in this repo.
  const tmp = `${dest}.tmp-${process.pid}`;
  const args = ['build', '-p', '2', '-trimpath', '-mod=readonly', '-buildvcs=false', '-ldflags', ['-s', '-w', ...target.ldflags].join(' '), '-o', tmp, target.pkg];
  const started = Date.now();
  log(`(${index}/${total}) building ${target.binary} ${target.version} ...`);
  const child = spawn(goBinary(), args, { cwd: target.moduleDir, env: goEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const ticker = setInterval(() => log(`    ${target.binary}: ${Math.round((Date.now() - started) / 1000)}s elapsed`), 30000);
  try {
    const code = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (c) => resolve(c ?? 1));
    });
    if (code !== 0) {
      fs.rmSync(tmp, { force: true });
      throw new Error(`go ${args.join(' ')} (in ${target.moduleDir}) failed with exit code ${code}:\n${output}`);
    }
  } finally {
    clearInterval(ticker);
  }
  fs.renameSync(tmp, dest);
  log(`(${index}/${total}) built ${target.binary} in ${((Date.now() - started) / 1000).toFixed(1)}s -> ${dest}`);
}

/** Builds the targets missing from the cache, one at a time (on 2 cores parallel builds only compete). */
export async function buildMissing(targets: readonly GoTarget[], log: (msg: string) => void): Promise<void> {
  const missing = targets.filter((t) => !fs.existsSync(cachedBinaryPath(t)));
  if (missing.length === 0) return;
  const goVersion = checkGo();
  log(`${missing.length} binar${missing.length === 1 ? 'y' : 'ies'} to build with ${goVersion} (first run takes a while; cached afterwards in ${path.join(cacheRoot(), 'bin')})`);
  const started = Date.now();
  let i = 0;
  for (const t of missing) await buildOne(t, log, ++i, missing.length);
  log(`all built in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

/** Runs an ensure function as a script: prints `key<TAB>path` per binary, exits 1 with the message on failure. */
export function runAsScript<T extends object>(ensure: () => Promise<T>, log: (msg: string) => void): void {
  const started = Date.now();
  ensure().then(
    (bins) => {
      for (const [k, v] of Object.entries(bins)) process.stdout.write(`${k}\t${String(v)}\n`);
      log(`ready in ${((Date.now() - started) / 1000).toFixed(2)}s`);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
