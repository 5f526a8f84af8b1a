/**
 * Builds the tools the real-artifact tests run (helm, kustomize, promtool) from the Go wrapper modules in
 * test/tools/go/ and caches them beside the control-plane binaries (test/toolchain/go-build.ts).
 *
 * Run as a script (`node build/test/tools/build.js`) or import ensureTools().
 */
import * as path from 'node:path';
import { TEST_TOOLCHAIN } from '../../constructs/catalog/toolchain';
import { buildMissing, cachedBinaryPath, GoTarget, repoRoot, requiredVersion, runAsScript } from '../toolchain/go-build';

export interface Tools {
  readonly helm: string;
  readonly kustomize: string;
  readonly promtool: string;
  readonly kueue: string;
}

type Module = 'helm' | 'kustomize' | 'promtool' | 'kueue';
const moduleDir = (module: Module): string => path.join(repoRoot(), 'test', 'tools', 'go', module);

const HELM_MODULE = 'helm.sh/helm/v3';
const KUSTOMIZE_MODULE = 'sigs.k8s.io/kustomize/kustomize/v5';
const PROMETHEUS_MODULE = 'github.com/prometheus/prometheus';
const KUEUE_MODULE = 'sigs.k8s.io/kueue';

/**
 * Prometheus' release build (.promu.yml) stamps github.com/prometheus/common/version; the module's
 * v0.3MM.P is Prometheus 3.MM.P. Fixed revision/date/user keep the binary reproducible.
 */
function promtoolLdflags(): string[] {
  const [, minor, patch] = /^v0\.3(\d\d)\.(\d+)$/.exec(TEST_TOOLCHAIN.promtool) ?? ['', '0', '0'];
  const v = 'github.com/prometheus/common/version';
  return [`-X ${v}.Version=3.${Number(minor)}.${patch}`, `-X ${v}.Revision=${TEST_TOOLCHAIN.promtool}`, `-X ${v}.Branch=HEAD`, `-X ${v}.BuildUser=hybrid-ml-platform`, `-X ${v}.BuildDate=19700101-00:00:00`];
}

/**
 * Helm's release build stamps its version and the Kubernetes version it defaults to (the client-go
 * minor + 1, its Makefile's rule); unstamped it reports v1.20. The tests pass --kube-version anyway.
 */
function helmLdflags(): string[] {
  const clientGo = requiredVersion(path.join(moduleDir('helm'), 'go.mod'), 'k8s.io/client-go') ?? 'v0.0.0';
  const [, minor] = /^v0\.(\d+)\./.exec(clientGo) ?? ['', '0'];
  return [
    `-X helm.sh/helm/v3/internal/version.version=${TEST_TOOLCHAIN.helm}`,
    '-X helm.sh/helm/v3/internal/version.gitTreeState=clean',
    ...['pkg/chartutil', 'pkg/lint/rules'].flatMap((pkg) => [`-X helm.sh/helm/v3/${pkg}.k8sVersionMajor=1`, `-X helm.sh/helm/v3/${pkg}.k8sVersionMinor=${minor}`]),
  ];
}

/**
 * Kueue's Makefile stamps sigs.k8s.io/kueue/pkg/version (GitVersion, GitCommit, BuildDate); the tag
 * stands in for the commit and a fixed date keeps the binary reproducible.
 */
function kueueLdflags(): string[] {
  const v = `${KUEUE_MODULE}/pkg/version`;
  return [`-X ${v}.GitVersion=${TEST_TOOLCHAIN.kueue}`, `-X ${v}.GitCommit=${TEST_TOOLCHAIN.kueue}`, `-X ${v}.BuildDate=1970-01-01T00:00:00Z`];
}

function targets(): (GoTarget & { key: keyof Tools })[] {
  return [
    { key: 'helm', binary: 'helm', moduleDir: moduleDir('helm'), pkg: `${HELM_MODULE}/cmd/helm`, version: TEST_TOOLCHAIN.helm, ldflags: helmLdflags() },
    {
      key: 'kustomize',
      binary: 'kustomize',
      moduleDir: moduleDir('kustomize'),
      pkg: KUSTOMIZE_MODULE,
      version: TEST_TOOLCHAIN.kustomize,
      ldflags: [`-X sigs.k8s.io/kustomize/api/provenance.version=${TEST_TOOLCHAIN.kustomize}`, '-X sigs.k8s.io/kustomize/api/provenance.buildDate=1970-01-01T00:00:00Z'],
    },
    { key: 'promtool', binary: 'promtool', moduleDir: moduleDir('promtool'), pkg: `${PROMETHEUS_MODULE}/cmd/promtool`, version: TEST_TOOLCHAIN.promtool, ldflags: promtoolLdflags() },
    { key: 'kueue', binary: 'kueue', moduleDir: moduleDir('kueue'), pkg: `${KUEUE_MODULE}/cmd/kueue`, version: TEST_TOOLCHAIN.kueue, ldflags: kueueLdflags() },
  ];
}

/** Where the tools are (or will be) cached, without building anything. */
export function toolPaths(): Tools {
  return Object.fromEntries(targets().map((t) => [t.key, cachedBinaryPath(t)])) as unknown as Tools;
}

/** The wrapper go.mod files must require exactly the catalog's versions. Returns the problems found. */
export function checkToolPins(): string[] {
  const problems: string[] = [];
  const expect = (module: Module, modPath: string, version: string): void => {
    const found = requiredVersion(path.join(moduleDir(module), 'go.mod'), modPath);
    if (found !== version) problems.push(`test/tools/go/${module}/go.mod requires ${modPath} ${found ?? '(missing)'}, catalog pins ${version}`);
  };
  expect('helm', HELM_MODULE, TEST_TOOLCHAIN.helm);
  expect('kustomize', KUSTOMIZE_MODULE, TEST_TOOLCHAIN.kustomize);
  expect('promtool', PROMETHEUS_MODULE, TEST_TOOLCHAIN.promtool);
  expect('kueue', KUEUE_MODULE, TEST_TOOLCHAIN.kueue);
  return problems;
}

const log = (msg: string): void => {
  process.stderr.write(`[tools-build] ${msg}\n`);
};

let pending: Promise<Tools> | undefined;

/** Builds whatever is missing and returns the paths of the tools. */
export function ensureTools(): Promise<Tools> {
  pending ??= (async () => {
    const problems = checkToolPins();
    if (problems.length > 0) throw new Error(`Go wrapper modules and TEST_TOOLCHAIN disagree:\n  ${problems.join('\n  ')}`);
    await buildMissing(targets(), log);
    return toolPaths();
  })();
  pending.catch(() => (pending = undefined));
  return pending;
}

if (require.main === module) runAsScript(ensureTools, log);
