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
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TEST_TOOLCHAIN } from '../../constructs/catalog/toolchain';
import { buildMissing, cachedBinaryPath, goBinary, goEnv, GoTarget, repoRoot, requiredVersion, runAsScript } from '../toolchain/go-build';

export interface EngineBinaries {
  readonly pulumi: string;
  readonly languageNodejs: string;
  readonly kubernetesProvider: string;
}

type Module = 'pulumi' | 'pulumi-kubernetes';
type Target = GoTarget & { readonly key: keyof EngineBinaries };

const PROVIDER_MODULE = 'github.com/pulumi/pulumi-kubernetes/provider/v4';

function targets(): Target[] {
  const pulumiVersion = TEST_TOOLCHAIN.pulumi;
  const plugin = TEST_TOOLCHAIN.pulumiKubernetesPluginVersion;
  // Largest first: a fresh machine shows the slow part up front.
  return [
    {
      key: 'pulumi',
      binary: 'pulumi',
      moduleDir: moduleDir('pulumi'),
      pkg: 'github.com/pulumi/pulumi/pkg/v3/cmd/pulumi',
      version: pulumiVersion,
      // What `pulumi version` prints and what the engine compares plugin SDKs against.
      ldflags: [`-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${pulumiVersion}`],
      sources: [],
    },
    {
      key: 'kubernetesProvider',
      binary: 'pulumi-resource-kubernetes',
      moduleDir: moduleDir('pulumi-kubernetes'),
      pkg: '.',
      version: plugin,
      ldflags: [`-X ${PROVIDER_MODULE}/pkg/version.Version=${plugin}`],
      sources: ['main.go'],
      prepare: (dir) => writeProviderSchema(dir, plugin),
    },
    {
      key: 'languageNodejs',
      binary: 'pulumi-language-nodejs',
      moduleDir: moduleDir('pulumi'),
      pkg: './cmd/pulumi-language-nodejs',
      version: pulumiVersion,
      ldflags: [`-X main.version=${pulumiVersion.replace(/^v/, '')}`],
      sources: ['cmd/pulumi-language-nodejs/main.go'],
    },
  ];
}

const moduleDir = (module: Module): string => path.join(repoRoot(), 'test', 'pulumi-engine', 'go', module);

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

/** Where the binaries are (or will be) cached, without building anything. */
export function engineBinaryPaths(): EngineBinaries {
  const out: Partial<Record<keyof EngineBinaries, string>> = {};
  for (const t of targets()) out[t.key] = cachedBinaryPath(t);
  return out as EngineBinaries;
}

const log = (msg: string): void => {
  process.stderr.write(`[pulumi-engine-build] ${msg}\n`);
};

/** The wrapper go.mod files must require exactly the catalog's versions. Returns the problems found. */
export function checkEnginePins(): string[] {
  const problems: string[] = [];
  const expectRequire = (module: Module, modPath: string, version: string): void => {
    const found = requiredVersion(path.join(moduleDir(module), 'go.mod'), modPath);
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
    await buildMissing(targets(), log);
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

if (require.main === module) runAsScript(ensureEngine, log);
