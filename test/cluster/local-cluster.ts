/**
 * `local-cluster up|down|status`: the test control plane (plus kwok) for a
 * developer's shell, detached so it outlives this command.
 *
 * State lives in ${XDG_CACHE_HOME:-~/.cache}/hybrid-ml-platform/local-cluster/:
 * certs, kubeconfigs, etcd data, logs/ and pids/ (one pid file per process group).
 * `down` works from the pid files alone, so it also cleans up after a crashed `up`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { binaryPaths, cacheRoot, ensureBinaries } from './build';
import { runKubectl, startControlPlane } from './control-plane';
import { startKwok } from './kwok';
import { isAlive, readPidFiles, stopProcess } from './process';

export function stateDir(): string {
  return path.join(cacheRoot(), 'local-cluster');
}

interface State {
  readonly server: string;
  readonly kubeconfigPath: string;
  readonly startedAt: string;
}

const stateFile = (): string => path.join(stateDir(), 'state.json');

function readState(): State | undefined {
  try {
    return JSON.parse(fs.readFileSync(stateFile(), 'utf8')) as State;
  } catch {
    return undefined;
  }
}

function processes(): Array<{ name: string; pid: number; alive: boolean }> {
  return readPidFiles(stateDir()).map((p) => ({ ...p, alive: isAlive(p.pid) }));
}

async function down(): Promise<void> {
  const procs = processes();
  // Clients first, etcd last, like ControlPlane.stop().
  const order = ['kwok', 'kube-scheduler', 'kube-controller-manager', 'kube-apiserver', 'etcd'];
  procs.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  for (const p of procs) {
    if (p.alive) {
      await stopProcess({ pid: p.pid });
      process.stdout.write(`stopped ${p.name} (pid ${p.pid})\n`);
    }
  }
  fs.rmSync(stateDir(), { recursive: true, force: true });
  process.stdout.write(`removed ${stateDir()}\n`);
}

function printUsage(state: State): void {
  process.stdout.write(
    [
      `local cluster running at ${state.server}`,
      `kubeconfig: ${state.kubeconfigPath}`,
      '',
      `export KUBECONFIG=${state.kubeconfigPath}`,
      '',
    ].join('\n'),
  );
}

async function up(): Promise<void> {
  const state = readState();
  const procs = processes();
  if (state && procs.length > 0 && procs.every((p) => p.alive)) {
    process.stdout.write('already up\n');
    printUsage(state);
    return;
  }
  if (procs.length > 0 || fs.existsSync(stateDir())) {
    process.stdout.write('cleaning up a previous, incomplete local cluster\n');
    await down();
  }
  const binaries = await ensureBinaries();
  fs.mkdirSync(stateDir(), { recursive: true, mode: 0o700 });
  const cp = await startControlPlane({ binaries, dir: stateDir(), persistent: true });
  try {
    await startKwok(cp);
  } catch (err) {
    await down();
    throw err;
  }
  const newState: State = { server: cp.server, kubeconfigPath: cp.kubeconfigPath, startedAt: new Date().toISOString() };
  fs.writeFileSync(stateFile(), `${JSON.stringify(newState, null, 2)}\n`);
  printUsage(newState);
  process.stdout.write(`logs: ${path.join(stateDir(), 'logs')}\nfake GPU nodes: create Nodes annotated kwok.x-k8s.io/node=fake (see test/cluster/kwok.ts)\n`);
}

async function status(): Promise<number> {
  const state = readState();
  const procs = processes();
  if (!state && procs.length === 0) {
    process.stdout.write('local cluster is down\n');
    return 1;
  }
  for (const p of procs) {
    process.stdout.write(`${p.alive ? 'running' : 'DEAD   '}  ${p.name} (pid ${p.pid})\n`);
  }
  let healthy = procs.length > 0 && procs.every((p) => p.alive);
  if (state) {
    process.stdout.write(`server: ${state.server}\nkubeconfig: ${state.kubeconfigPath}\nstarted: ${state.startedAt}\n`);
    if (healthy) {
      // Processes alive is not enough: ask the apiserver itself.
      const readyz = await runKubectl(binaryPaths().kubectl, state.kubeconfigPath, ['get', '--raw=/readyz']).catch(() => undefined);
      healthy = readyz?.code === 0;
      process.stdout.write(`readyz: ${readyz ? (readyz.stdout.trim() || readyz.stderr.trim()) : 'kubectl not built'}\n`);
    }
  }
  process.stdout.write(healthy ? 'status: up\n' : 'status: degraded (run `down` then `up`)\n');
  return healthy ? 0 : 1;
}

async function main(argv: readonly string[]): Promise<number> {
  switch (argv[0]) {
    case 'up':
      await up();
      return 0;
    case 'down':
      await down();
      return 0;
    case 'status':
      return status();
    default:
      process.stderr.write('usage: local-cluster up|down|status\n');
      return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
