/**
 * Builds the Pulumi engine for `npm run test:pulumi` from the Go wrapper modules in
 * test/pulumi-engine/go/ and caches the binaries outside the repository, like the
 * control-plane binaries of test/cluster/build.ts (same cache root, same naming):
 *
 *   ${XDG_CACHE_HOME:-~/.cache}/hybrid-ml-platform/bin/<binary>-<version>-<hash>/<binary>
 *
 * - pulumi                      CLI, github.com/pulumi/pulumi/pkg/v3/cmd/pulumi (go/pulumi)
 * - pulumi-language-nodejs      Node.js language host (go/pulumi/cmd/pulumi-language-nodejs; see its doc comment)
 * - pulumi-resource-kubernetes  Kubernetes provider, github.com/pulumi/pulumi-kubernetes/provider/v4 (go/pulumi-kubernetes)
 *
 * <hash> covers the wrapper's go.mod + go.sum (+ its own Go sources) and the build
 * recipe. `enginePath()` is the directory to put first on PATH.
 *
 * Run as a script (`node build/test/pulumi-engine/build.js`) or import ensureEngine().
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TEST_TOOLCHAIN } from '../../constructs/catalog/toolchain';
import { cacheRoot, checkGo, repoRoot } from '../cluster/build';

export interface EngineBinaries {
  readonly pulumi: string;
  readonly languageNodejs: string;
  readonly kubernetesProvider: string;
}

interface Target {
  readonly key: keyof EngineBinaries;
  readonly binary: string;
  /** Directory under test/pulumi-engine/go/. */
  readonly module: 'pulumi' | 'pulumi-kubernetes';
  readonly pkg: string;
  readonly version: string;
  readonly ldflags: readonly string[];
  /** Files of the wrapper (besides go.mod/go.sum) that go into the binary. */
  readonly sources: readonly string[];
  /** Writes generated inputs before the build. */
  readonly prepare?: (moduleDir: string) => void;
}

/** Bump to force a rebuild when the flags below change meaning. */
const RECIPE = 'v1';

const PROVIDER_MODULE = 'github.com/pulumi/pulumi-kubernetes/provider/v4';

function targets(): Target[] {
  const pulumiVersion = TEST_TOOLCHAIN.pulumi;
  const plugin = TEST_TOOLCHAIN.pulumiKubernetesPluginVersion;
  // Largest first: a fresh machine shows the slow part up front.
  return [
    {
      key: 'pulumi',
      binary: 'pulumi',
      module: 'pulumi',
      pkg: 'github.com/pulumi/pulumi/pkg/v3/cmd/pulumi',
      version: pulumiVersion,
      // What `pulumi version` prints and what the engine compares plugin SDKs against.
      ldflags: [`-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${pulumiVersion}`],
      sources: [],
    },
    {
      key: 'kubernetesProvider',
      binary: 'pulumi-resource-kubernetes',
      module: 'pulumi-kubernetes',
      pkg: '.',
      version: plugin,
      ldflags: [`-X ${PROVIDER_MODULE}/pkg/version.Version=${plugin}`],
      sources: ['main.go'],
      prepare: (dir) => writeProviderSchema(dir, plugin),
    },
    {
      key: 'languageNodejs',
      binary: 'pulumi-language-nodejs',
      module: 'pulumi',
      pkg: './cmd/pulumi-language-nodejs',
      version: pulumiVersion,
      ldflags: [`-X main.version=${pulumiVersion.replace(/^v/, '')}`],
      sources: ['cmd/pulumi-language-nodejs/main.go'],
    },
  ];
}

function moduleDir(target: Pick<Target, 'module'>): string {
  return path.join(repoRoot(), 'test', 'pulumi-engine', 'go', target.module);
}

function goBinary(): string {
  const onPath = (process.env.PATH ?? '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, 'go')));
  return !onPath && fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';
}

function goEnv(): NodeJS.ProcessEnv {
  return { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOWORK: 'off', GOFLAGS: '-mod=readonly' };
}

/**
 * cmd/pulumi-resource-kubernetes embeds schema-embed.json and terraform-mapping-embed.json,
 * which upstream's `go generate` writes from schema.json (with the release version set) and
 * terraform-mapping.json; the module zip has only the latter two. Same transformation here,
 * from the module's own files, into the wrapper (gitignored).
 */
function writeProviderSchema(dir: string, version: string): void {
  const res = spawnSync(goBinary(), ['mod', 'download', '-json', `${PROVIDER_MODULE}@${TEST_TOOLCHAIN.pulumiKubernetesProvider}`], { cwd: dir, env: goEnv(), encoding: 'utf8' });
  if (res.status !== 0) {
    throw new Error(`go mod download ${PROVIDER_MODULE}@${TEST_TOOLCHAIN.pulumiKubernetesProvider} failed:\n${res.stderr}${res.stdout}`);
  }
  const moduleRoot = (JSON.parse(res.stdout) as { Dir: string }).Dir;
  const cmd = path.join(moduleRoot, 'cmd', 'pulumi-resource-kubernetes');
  const schema = JSON.parse(fs.readFileSync(path.join(cmd, 'schema.json'), 'utf8')) as Record<string, unknown>;
  schema.version = version;
  const mapping = JSON.parse(fs.readFileSync(path.join(cmd, 'terraform-mapping.json'), 'utf8')) as unknown;
  const write = (name: string, text: string): void => {
    const file = path.join(dir, name);
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) fs.writeFileSync(file, text);
  };
  write('schema-embed.json', JSON.stringify(schema));
  write('terraform-mapping-embed.json', JSON.stringify(mapping));
}

function cachedPath(target: Target): string {
  const hash = createHash('sha256');
  const dir = moduleDir(target);
  for (const f of ['go.mod', 'go.sum', ...target.sources]) {
    hash.update(fs.readFileSync(path.join(dir, f)));
  }
  hash.update(JSON.stringify([RECIPE, target.pkg, target.ldflags]));
  const key = hash.digest('hex').slice(0, 12);
  return path.join(cacheRoot(), 'bin', `${target.binary}-${target.version}-${key}`, target.binary);
}

/** Where the binaries are (or will be) cached, without building anything. */
export function engineBinaryPaths(): EngineBinaries {
  const out: Partial<Record<keyof EngineBinaries, string>> = {};
  for (const t of targets()) out[t.key] = cachedPath(t);
  return out as EngineBinaries;
}

const log = (msg: string): void => {
  process.stderr.write(`[pulumi-engine-build] ${msg}\n`);
};

async function buildOne(target: Target, dest: string, index: number, total: number): Promise<number> {
  const cwd = moduleDir(target);
  target.prepare?.(cwd);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  for (const f of fs.readdirSync(path.dirname(dest))) {
    if (f.startsWith(`${target.binary}.tmp-`)) fs.rmSync(path.join(path.dirname(dest), f), { force: true });
  }
  // Build to a temporary name and rename: never a truncated binary in the cache.
  const tmp = `${dest}.tmp-${process.pid}`;
  const args = ['build', '-p', '2', '-trimpath', '-mod=readonly', '-buildvcs=false', '-ldflags', ['-s', '-w', ...target.ldflags].join(' '), '-o', tmp, target.pkg];
  const started = Date.now();
  log(`(${index}/${total}) building ${target.binary} ${target.version} ...`);
  const child = spawn(goBinary(), args, { cwd, env: goEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
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
      throw new Error(`go ${args.join(' ')} (in ${cwd}) failed with exit code ${code}:\n${output}`);
    }
  } finally {
    clearInterval(ticker);
  }
  fs.renameSync(tmp, dest);
  const seconds = (Date.now() - started) / 1000;
  log(`(${index}/${total}) built ${target.binary} in ${seconds.toFixed(1)}s -> ${dest}`);
  return seconds;
}

/** The wrapper go.mod files must require exactly the catalog's versions. Returns the problems found. */
export function checkEnginePins(): string[] {
  const problems: string[] = [];
  const goMod = (module: Target['module']): string => fs.readFileSync(path.join(repoRoot(), 'test', 'pulumi-engine', 'go', module, 'go.mod'), 'utf8');
  const expectRequire = (module: Target['module'], modPath: string, version: string): void => {
    const re = new RegExp(`^\\s*(?:require\\s+)?${modPath.replace(/[.]/g, '\\.')}\\s+(\\S+)`, 'm');
    const found = re.exec(goMod(module))?.[1];
    if (found !== version) problems.push(`test/pulumi-engine/go/${module}/go.mod requires ${modPath} ${found ?? '(missing)'}, catalog pins ${version}`);
  };
  expectRequire('pulumi', 'github.com/pulumi/pulumi/pkg/v3', TEST_TOOLCHAIN.pulumi);
  expectRequire('pulumi', 'github.com/pulumi/pulumi/sdk/v3', TEST_TOOLCHAIN.pulumi);
  expectRequire('pulumi-kubernetes', PROVIDER_MODULE, TEST_TOOLCHAIN.pulumiKubernetesProvider);
  const pkgJson = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  if (pkgJson.dependencies['@pulumi/kubernetes'] !== TEST_TOOLCHAIN.pulumiKubernetesPluginVersion) {
    problems.push(`package.json pins @pulumi/kubernetes ${pkgJson.dependencies['@pulumi/kubernetes']}, the provider plugin is ${TEST_TOOLCHAIN.pulumiKubernetesPluginVersion}`);
  }
  return problems;
}

let pending: Promise<EngineBinaries> | undefined;

/** Builds whatever is missing (one binary at a time) and returns the paths of all three. */
export function ensureEngine(): Promise<EngineBinaries> {
  pending ??= (async () => {
    const problems = checkEnginePins();
    if (problems.length > 0) throw new Error(`Pulumi engine wrapper modules and TEST_TOOLCHAIN disagree:\n  ${problems.join('\n  ')}`);
    const missing = targets().filter((t) => !fs.existsSync(cachedPath(t)));
    if (missing.length > 0) {
      const goVersion = checkGo();
      log(`${missing.length} binar${missing.length === 1 ? 'y' : 'ies'} to build with ${goVersion} (first run takes a while; cached afterwards in ${path.join(cacheRoot(), 'bin')})`);
      const started = Date.now();
      let i = 0;
      for (const t of missing) await buildOne(t, cachedPath(t), ++i, missing.length);
      log(`all built in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    }
    return engineBinaryPaths();
  })();
  pending.catch(() => {
    pending = undefined;
  });
  return pending;
}

/**
 * One directory holding the three binaries (symlinks into the cache), to put first on PATH:
 * the engine finds the language host and the provider there as ambient plugins.
 */
export function linkEngine(bins: EngineBinaries, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const file of Object.values(bins)) {
    const link = path.join(dir, path.basename(file));
    fs.rmSync(link, { force: true });
    fs.symlinkSync(file, link);
  }
  return dir;
}

if (require.main === module) {
  const started = Date.now();
  ensureEngine().then(
    (bins) => {
      for (const [k, v] of Object.entries(bins)) process.stdout.write(`${k}\t${v}\n`);
      log(`ready in ${((Date.now() - started) / 1000).toFixed(2)}s`);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
