/**
 * Builds the test control-plane binaries (kube-apiserver, controller-manager, scheduler, kubectl,
 * etcd, kwok) from the Go wrapper modules in test/cluster/go/ and caches them outside the
 * repository (test/toolchain/go-build.ts says where and how).
 *
 * Run as a script (`node build/test/cluster/build.js`) or import ensureBinaries().
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TEST_TOOLCHAIN } from '../../constructs/catalog/toolchain';
import { buildMissing, cachedBinaryPath, GoTarget, repoRoot, requiredVersion, runAsScript } from '../toolchain/go-build';

export { cacheRoot, checkGo, repoRoot } from '../toolchain/go-build';

export interface Binaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly kubectl: string;
  readonly kwok: string;
}

type Module = 'kubernetes' | 'etcd' | 'kwok';
const moduleDir = (module: Module): string => path.join(repoRoot(), 'test', 'cluster', 'go', module);

/** Version stamping as the Kubernetes release build does it (hack/lib/version.sh). */
function kubeVersionLdflags(version: string): string[] {
  const m = /^v(\d+)\.(\d+)\./.exec(version);
  if (!m) throw new Error(`unexpected Kubernetes version ${version}`);
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${version}`,
    `-X ${pkg}.gitMajor=${m[1]}`,
    `-X ${pkg}.gitMinor=${m[2]}`,
    `-X ${pkg}.gitTreeState=clean`,
    // Fixed, so two builds of the same inputs are byte-identical.
    `-X ${pkg}.buildDate=1970-01-01T00:00:00Z`,
  ]);
}

function targets(): (GoTarget & { key: keyof Binaries })[] {
  const k8s = TEST_TOOLCHAIN.kubernetes;
  const kube = (key: keyof Binaries, binary: string) => ({ key, binary, moduleDir: moduleDir('kubernetes'), pkg: `k8s.io/kubernetes/cmd/${binary}`, version: k8s, ldflags: kubeVersionLdflags(k8s) });
  // Largest first: a fresh machine shows the slow part up front.
  return [
    kube('kubeApiserver', 'kube-apiserver'),
    { key: 'etcd', binary: 'etcd', moduleDir: moduleDir('etcd'), pkg: 'go.etcd.io/etcd/server/v3', version: TEST_TOOLCHAIN.etcd, ldflags: [] },
    kube('kubeControllerManager', 'kube-controller-manager'),
    kube('kubeScheduler', 'kube-scheduler'),
    // Built rather than taken from PATH: a fresh machine may have none, and the supported
    // client/server skew is one minor version.
    kube('kubectl', 'kubectl'),
    { key: 'kwok', binary: 'kwok', moduleDir: moduleDir('kwok'), pkg: 'sigs.k8s.io/kwok/cmd/kwok', version: TEST_TOOLCHAIN.kwok, ldflags: [] },
  ];
}

/** Paths the binaries have (or will have) in the cache, without building anything. */
export function binaryPaths(): Binaries {
  return Object.fromEntries(targets().map((t) => [t.key, cachedBinaryPath(t)])) as unknown as Binaries;
}

/**
 * The wrapper go.mod files must require exactly the catalog's versions: the Kubernetes binaries
 * are stamped with the catalog version, so a mismatch would silently build one version and label
 * it another. Returns the problems found.
 */
export function checkPins(): string[] {
  const problems: string[] = [];
  const expectRequire = (module: Module, modPath: string, version: string): void => {
    const found = requiredVersion(path.join(moduleDir(module), 'go.mod'), modPath);
    if (found !== version) problems.push(`test/cluster/go/${module}/go.mod requires ${modPath} ${found ?? '(missing)'}, catalog pins ${version}`);
  };
  expectRequire('kubernetes', 'k8s.io/kubernetes', TEST_TOOLCHAIN.kubernetes);
  expectRequire('etcd', 'go.etcd.io/etcd/server/v3', TEST_TOOLCHAIN.etcd);
  expectRequire('kwok', 'sigs.k8s.io/kwok', TEST_TOOLCHAIN.kwok);
  // Staging modules are published as v0.<minor>.<patch> for Kubernetes v1.<minor>.<patch>.
  const staging = TEST_TOOLCHAIN.kubernetes.replace(/^v1\./, 'v0.');
  const goMod = fs.readFileSync(path.join(moduleDir('kubernetes'), 'go.mod'), 'utf8');
  for (const m of goMod.matchAll(/^\s*(k8s\.io\/\S+)\s+=>\s+\S+\s+(\S+)\s*$/gm)) {
    if (m[2] !== staging) problems.push(`test/cluster/go/kubernetes/go.mod replaces ${m[1]} with ${m[2]}, expected ${staging}`);
  }
  return problems;
}

const log = (msg: string): void => {
  process.stderr.write(`[cluster-build] ${msg}\n`);
};

let pending: Promise<Binaries> | undefined;

/** Builds whatever is missing from the cache and returns the paths of all binaries. */
export function ensureBinaries(): Promise<Binaries> {
  // Concurrent callers in one process share a single build.
  pending ??= (async () => {
    const problems = checkPins();
    if (problems.length > 0) throw new Error(`Go wrapper modules and TEST_TOOLCHAIN disagree:\n  ${problems.join('\n  ')}`);
    await buildMissing(targets(), log);
    return binaryPaths();
  })();
  // Let a later call retry after a failure.
  pending.catch(() => (pending = undefined));
  return pending;
}

if (require.main === module) runAsScript(ensureBinaries, log);
