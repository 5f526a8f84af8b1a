/**
 * A throwaway Pulumi workspace for the integration tests: the engine built from Go modules
 * (build.ts) first on PATH, automatic plugin acquisition and update checks off, a temporary
 * PULUMI_HOME, the local file backend in a temporary directory, and a test passphrase.
 *
 * The project is this repository's Pulumi.yaml, copied into build/pulumi-engine-<id>/ with
 * `main` pointing at the compiled program (build/stacks/pulumi/) and the stack files copied
 * beside it: `pulumi stack init` and `pulumi config set` write to those copies, never to the
 * repository's Pulumi.<stack>.yaml. Everything is removed by dispose().
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { repoRoot } from '../cluster/build';
import { EngineBinaries, linkEngine } from './build';

export interface PulumiResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Resource operation counts of a `--json` preview or `up` (the engine's changeSummary). */
export type ChangeSummary = Readonly<Record<string, number>>;

export const TEST_PASSPHRASE = 'hybrid-ml-platform-test-passphrase';

export class PulumiWorkspace {
  readonly dir: string;
  readonly projectDir: string;
  readonly env: NodeJS.ProcessEnv;
  private readonly stateDir: string;

  constructor(bins: EngineBinaries) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulumi-engine-'));
    const bin = linkEngine(bins, path.join(this.dir, 'bin'));
    const home = path.join(this.dir, 'home');
    this.stateDir = path.join(this.dir, 'state');
    fs.mkdirSync(home);
    fs.mkdirSync(this.stateDir);
    // Inside the repository, so that node resolves @pulumi/* from its node_modules.
    this.projectDir = path.join(repoRoot(), 'build', `pulumi-engine-${path.basename(this.dir)}`);
    fs.mkdirSync(this.projectDir, { recursive: true });
    const project = YAML.parse(fs.readFileSync(path.join(repoRoot(), 'Pulumi.yaml'), 'utf8')) as Record<string, unknown>;
    project.main = path.relative(this.projectDir, path.join(repoRoot(), 'build', 'stacks', 'pulumi')) + path.sep;
    delete project.backend;
    fs.writeFileSync(path.join(this.projectDir, 'Pulumi.yaml'), YAML.stringify(project));
    for (const f of fs.readdirSync(repoRoot()).filter((n) => /^Pulumi\.[^.]+\.yaml$/.test(n) && n !== 'Pulumi.yaml')) {
      fs.copyFileSync(path.join(repoRoot(), f), path.join(this.projectDir, f));
    }
    this.env = {
      ...process.env,
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
      PULUMI_HOME: home,
      PULUMI_BACKEND_URL: `file://${this.stateDir}`,
      PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE,
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
      PULUMI_SKIP_UPDATE_CHECK: 'true',
      PULUMI_SKIP_CONFIRMATIONS: 'true',
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: 'true',
      // No colour codes and no interactive progress in captured output.
      NO_COLOR: '1',
      PULUMI_DIY_BACKEND_GZIP: 'false',
    };
    delete this.env.PULUMI_ACCESS_TOKEN;
    delete this.env.KUBECONFIG;
  }

  /** Runs `pulumi <args>` in the project directory; never throws on a non-zero exit. */
  run(args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<PulumiResult> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn('pulumi', [...args, '--non-interactive'], { cwd: this.projectDir, env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGINT'), opts.timeoutMs ?? 15 * 60 * 1000);
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? 1, stdout, stderr, seconds: (Date.now() - started) / 1000 });
      });
      child.stdin.end(opts.input ?? '');
    });
  }

  /** Like run() but throws with the output on a non-zero exit. */
  async ok(args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<PulumiResult> {
    const res = await this.run(args, opts);
    if (res.code !== 0) {
      // The cause comes first: a report that keeps only the head of a long message still shows it.
      throw new Error(`pulumi ${args.join(' ')} exited ${res.code}:\n${errorLines(res.stdout).join('\n')}\n--- stdout (tail)\n${res.stdout.slice(-6000)}\n${res.stderr.slice(-4000)}`);
    }
    return res;
  }

  /** resourceChanges of the stack's latest update, refresh or destroy (`pulumi stack history`). */
  async lastChanges(stack: string): Promise<{ kind: string; result: string; resourceChanges: Record<string, number> }> {
    const res = await this.ok(['stack', 'history', '--output', 'json', '--page-size', '1', '-s', stack]);
    const [latest] = JSON.parse(res.stdout) as { kind: string; result: string; resourceChanges?: Record<string, number> }[];
    return { kind: latest.kind, result: latest.result, resourceChanges: latest.resourceChanges ?? {} };
  }

  /** `pulumi login` to the temporary file backend (PULUMI_BACKEND_URL says the same). */
  async login(): Promise<void> {
    await this.ok(['login', `file://${this.stateDir}`]);
  }

  /** Removes the temporary directories. Processes it started have exited with their commands. */
  dispose(): void {
    fs.rmSync(this.projectDir, { recursive: true, force: true });
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Operation counts from the "Resources:" block that preview/up/refresh/destroy print, e.g.
 * `+ 150 to create` / `+ 150 created`, `~ 1 to update`, `- 2 deleted`, `150 unchanged`.
 * (Text rather than --json: the JSON rendering of every step's inputs is megabytes for the CRDs.)
 */
export function changeSummary(output: string): ChangeSummary {
  const block = output.slice(output.lastIndexOf('Resources:'));
  const words: Record<string, string> = {
    create: 'create', created: 'create',
    update: 'update', updated: 'update',
    delete: 'delete', deleted: 'delete',
    replace: 'replace', replaced: 'replace',
    unchanged: 'same',
  };
  const out: Record<string, number> = {};
  for (const m of block.matchAll(/^\s+(?:[-+~]+\s+)?(\d+)\s+(?:to\s+)?(create|created|update|updated|delete|deleted|replace|replaced|unchanged)\b/gm)) {
    const op = words[m[2]];
    out[op] = (out[op] ?? 0) + Number(m[1]);
  }
  return out;
}

/** Operations other than `same` in a change summary. */
export function changes(summary: ChangeSummary): Record<string, number> {
  return Object.fromEntries(Object.entries(summary).filter(([op, n]) => op !== 'same' && n > 0));
}

/** The engine's error lines (resource diagnostics and the update's own), at most 40, each cut to 600 characters. */
export function errorLines(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => /\berror:/.test(l))
    .slice(0, 40)
    .map((l) => (l.length > 600 ? `${l.slice(0, 600)}...` : l));
}
