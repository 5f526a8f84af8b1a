/**
 * Builds the test control-plane binaries from the Go wrapper modules in
 * test/cluster/go/ and caches them outside the repository:
 *
 *   ${XDG_CACHE_HOME:-~/.cache}/hybrid-ml-platform/bin/<binary>-<version>-<hash>/<binary>
 *
 * <hash> covers the wrapper's go.mod + go.sum and the build recipe, so bumping a
 * pin or a dependency yields a new directory and a rebuild; otherwise the cached
 * binary is reused without even invoking `go`.
 *
 * Run as a script (`node build/test/cluster/build.js`) or import ensureBinaries().
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TEST_TOOLCHAIN } from '../../constructs/catalog/toolchain';

export interface Binaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly kubectl: string;
  readonly kwok: string;
}

interface Target {
  readonly key: keyof Binaries;
  readonly binary: string;
  /** Directory under test/cluster/go/. */
  readonly module: 'kubernetes' | 'etcd' | 'kwok';
  readonly pkg: string;
  readonly version: string;
  readonly ldflags: readonly string[];
}

/** Bump to force a rebuild when the flags below change meaning. */
const RECIPE = 'v1';
/** Go >= 1.26: go.etcd.io/etcd/server/v3 v3.6.16 declares `go 1.26.0`. */
const MIN_GO = [1, 26] as const;

/** Version stamping as the Kubernetes release build does it (hack/lib/version.sh). */
function kubeVersionLdflags(version: string): string[] {
  const m = /^v(\d+)\.(\d+)\./.exec(version);
  if (!m) {
    throw new Error(`unexpected Kubernetes version ${version}`);
  }
  const flags: string[] = [];
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    flags.push(
      `-X ${pkg}.gitVersion=${version}`,
      `-X ${pkg}.gitMajor=${m[1]}`,
      `-X ${pkg}.gitMinor=${m[2]}`,
      `-X ${pkg}.gitTreeState=clean`,
      // Fixed, so two builds of the same inputs are byte-identical.
      `-X ${pkg}.buildDate=1970-01-01T00:00:00Z`,
    );
  }
  return flags;
}

function targets(): Target[] {
  const k8s = TEST_TOOLCHAIN.kubernetes;
  const kube = (key: keyof Binaries, binary: string): Target => ({
    key,
    binary,
    module: 'kubernetes',
    pkg: `k8s.io/kubernetes/cmd/${binary}`,
    version: k8s,
    ldflags: kubeVersionLdflags(k8s),
  });
  // Largest first: a fresh machine shows the slow part up front.
  return [
    kube('kubeApiserver', 'kube-apiserver'),
    { key: 'etcd', binary: 'etcd', module: 'etcd', pkg: 'go.etcd.io/etcd/server/v3', version: TEST_TOOLCHAIN.etcd, ldflags: [] },
    kube('kubeControllerManager', 'kube-controller-manager'),
    kube('kubeScheduler', 'kube-scheduler'),
    // Built rather than taken from PATH: a fresh machine may have none, and the
    // supported client/server skew is one minor version.
    kube('kubectl', 'kubectl'),
    { key: 'kwok', binary: 'kwok', module: 'kwok', pkg: 'sigs.k8s.io/kwok/cmd/kwok', version: TEST_TOOLCHAIN.kwok, ldflags: [] },
  ];
}

/** The repository root, found from this file whether it runs from test/ (ts-jest) or build/test/ (tsc). */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'test', 'cluster', 'go', 'kubernetes', 'go.mod'))) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`cannot find test/cluster/go/ above ${__dirname}`);
    }
    dir = parent;
  }
}

export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'hybrid-ml-platform');
}

function moduleDir(target: Target): string {
  return path.join(repoRoot(), 'test', 'cluster', 'go', target.module);
}

function cachedPath(target: Target): string {
  const hash = createHash('sha256');
  const dir = moduleDir(target);
  for (const f of ['go.mod', 'go.sum']) {
    hash.update(fs.readFileSync(path.join(dir, f)));
  }
  hash.update(JSON.stringify([RECIPE, target.pkg, target.ldflags]));
  const key = hash.digest('hex').slice(0, 12);
  return path.join(cacheRoot(), 'bin', `${target.binary}-${target.version}-${key}`, target.binary);
}

/** Paths the binaries have (or will have) in the cache, without building anything. */
export function binaryPaths(): Binaries {
  const out: Partial<Record<keyof Binaries, string>> = {};
  for (const t of targets()) {
    out[t.key] = cachedPath(t);
  }
  return out as Binaries;
}

const INSTALL_HINT =
  "install it from https://go.dev/dl/ (Debian's apt `golang` package is too old: bookworm ships Go 1.19)";

/** `go` from PATH, else the official tarball's location (often not on a CI PATH). */
function goBinary(): string {
  const onPath = (process.env.PATH ?? '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, 'go')));
  return !onPath && fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';
}

/** Fail early, with a useful message, when no suitable Go is available. */
export function checkGo(): string {
  const res = spawnSync(goBinary(), ['env', 'GOVERSION'], { encoding: 'utf8', env: goEnv() });
  if (res.error && (res.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`Go >= ${MIN_GO.join('.')} is required to build the test control plane: \`go\` is not on PATH; ${INSTALL_HINT}`);
  }
  const version = (res.stdout ?? '').trim();
  const m = /^go(\d+)\.(\d+)/.exec(version);
  if (res.status !== 0 || !m) {
    throw new Error(`Go >= ${MIN_GO.join('.')} is required to build the test control plane: \`go env GOVERSION\` failed (${res.stderr}); ${INSTALL_HINT}`);
  }
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major < MIN_GO[0] || (major === MIN_GO[0] && minor < MIN_GO[1])) {
    throw new Error(`Go >= ${MIN_GO.join('.')} is required to build the test control plane, found ${version}: ${INSTALL_HINT}`);
  }
  return version;
}

function goEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // Static binaries, like the Kubernetes release; also no C toolchain needed.
    CGO_ENABLED: '0',
    // Never fetch a different toolchain behind the user's back.
    GOTOOLCHAIN: 'local',
    // A go.work further up must not change what the wrapper modules resolve to.
    GOWORK: 'off',
  };
}

const log = (msg: string): void => {
  process.stderr.write(`[cluster-build] ${msg}\n`);
};

async function buildOne(target: Target, dest: string, index: number, total: number): Promise<number> {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  // Leftovers of interrupted builds.
  for (const f of fs.readdirSync(path.dirname(dest))) {
    if (f.startsWith(`${target.binary}.tmp-`)) {
      fs.rmSync(path.join(path.dirname(dest), f), { force: true });
    }
  }
  // Build to a temporary name and rename: an interrupted build never leaves a
  // truncated binary that a later run would take for a cached one.
  const tmp = `${dest}.tmp-${process.pid}`;
  const args = [
    'build',
    '-p', '2',
    '-trimpath',
    // go.sum is committed: fail instead of silently editing go.mod/go.sum.
    '-mod=readonly',
    // The wrapper sits in this git repo: stamping its VCS state would make the
    // binary depend on uncommitted changes (and fail where git is missing).
    '-buildvcs=false',
    '-ldflags', ['-s', '-w', ...target.ldflags].join(' '),
    '-o', tmp,
    target.pkg,
  ];
  const started = Date.now();
  log(`(${index}/${total}) building ${target.binary} ${target.version} ...`);
  const child = spawn(goBinary(), args, { cwd: moduleDir(target), env: goEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
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
      throw new Error(`go ${args.join(' ')} (in ${moduleDir(target)}) failed with exit code ${code}:\n${output}`);
    }
  } finally {
    clearInterval(ticker);
  }
  fs.renameSync(tmp, dest);
  const seconds = (Date.now() - started) / 1000;
  log(`(${index}/${total}) built ${target.binary} in ${seconds.toFixed(1)}s -> ${dest}`);
  return seconds;
}

/**
 * The wrapper go.mod files must require exactly the catalog's versions: the
 * Kubernetes binaries are stamped with the catalog version, so a mismatch would
 * silently build one version and label it another. Returns the problems found.
 */
export function checkPins(): string[] {
  const problems: string[] = [];
  const goMod = (module: Target['module']): string => fs.readFileSync(path.join(repoRoot(), 'test', 'cluster', 'go', module, 'go.mod'), 'utf8');
  const expectRequire = (module: Target['module'], modPath: string, version: string): void => {
    const re = new RegExp(`^\\s*(?:require\\s+)?${modPath.replace(/[.]/g, '\\.')}\\s+(\\S+)`, 'm');
    const found = re.exec(goMod(module))?.[1];
    if (found !== version) {
      problems.push(`test/cluster/go/${module}/go.mod requires ${modPath} ${found ?? '(missing)'}, catalog pins ${version}`);
    }
  };
  expectRequire('kubernetes', 'k8s.io/kubernetes', TEST_TOOLCHAIN.kubernetes);
  expectRequire('etcd', 'go.etcd.io/etcd/server/v3', TEST_TOOLCHAIN.etcd);
  expectRequire('kwok', 'sigs.k8s.io/kwok', TEST_TOOLCHAIN.kwok);
  // Staging modules are published as v0.<minor>.<patch> for Kubernetes v1.<minor>.<patch>.
  const staging = TEST_TOOLCHAIN.kubernetes.replace(/^v1\./, 'v0.');
  for (const m of goMod('kubernetes').matchAll(/^\s*(k8s\.io\/\S+)\s+=>\s+\S+\s+(\S+)\s*$/gm)) {
    if (m[2] !== staging) {
      problems.push(`test/cluster/go/kubernetes/go.mod replaces ${m[1]} with ${m[2]}, expected ${staging}`);
    }
  }
  return problems;
}

let pending: Promise<Binaries> | undefined;

/**
 * Build whatever is missing from the cache (one binary at a time: on 2 cores
 * parallel builds only compete) and return the paths of all binaries.
 */
export function ensureBinaries(): Promise<Binaries> {
  // Concurrent callers in one process share a single build.
  pending ??= (async () => {
    const problems = checkPins();
    if (problems.length > 0) {
      throw new Error(`Go wrapper modules and TEST_TOOLCHAIN disagree:\n  ${problems.join('\n  ')}`);
    }
    const all = targets();
    const missing = all.filter((t) => !fs.existsSync(cachedPath(t)));
    if (missing.length > 0) {
      const goVersion = checkGo();
      log(`${missing.length} binar${missing.length === 1 ? 'y' : 'ies'} to build with ${goVersion} (first run takes several minutes; cached afterwards in ${path.join(cacheRoot(), 'bin')})`);
      const started = Date.now();
      let i = 0;
      for (const t of missing) {
        await buildOne(t, cachedPath(t), ++i, missing.length);
      }
      log(`all built in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    }
    return binaryPaths();
  })();
  pending.catch(() => {
    // Let a later call retry after a failure.
    pending = undefined;
  });
  return pending;
}

if (require.main === module) {
  const started = Date.now();
  ensureBinaries().then(
    (bins) => {
      for (const [k, v] of Object.entries(bins)) {
        process.stdout.write(`${k}\t${v}\n`);
      }
      log(`ready in ${((Date.now() - started) / 1000).toFixed(2)}s`);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
