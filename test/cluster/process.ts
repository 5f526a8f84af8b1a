/**
 * Child-process plumbing for the test control plane.
 *
 * Every component runs in its own process group (detached: true) so that it can be
 * stopped with one signal to the group, and so that a Ctrl-C in the terminal reaches
 * our handler first instead of killing half the cluster in an undefined order.
 * Its pid is written to `<dir>/pids/<name>.pid`: the watchdog and `local-cluster down`
 * find processes from those files, not from process names.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vm from 'node:vm';

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  /** Present only in the process that spawned it. */
  readonly child?: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  readonly exited: Promise<string>;
  /** True while the process has not exited. */
  isRunning(): boolean;
}

export interface SpawnOptions {
  /** Directory holding `pids/` and `logs/`. */
  readonly dir: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Start `binary args...` with stdout+stderr appended to `<dir>/logs/<name>.log`. */
export function spawnComponent(name: string, binary: string, args: readonly string[], opts: SpawnOptions): ManagedProcess {
  const logDir = path.join(opts.dir, 'logs');
  const pidDir = path.join(opts.dir, 'pids');
  fs.mkdirSync(logDir, { recursive: true });
  fs.mkdirSync(pidDir, { recursive: true });
  const logPath = path.join(logDir, `${name}.log`);
  const fd = fs.openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(binary, [...args], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: opts.env ?? process.env,
    });
  } finally {
    // The child has its own copy of the descriptor; ours would only leak.
    fs.closeSync(fd);
  }
  if (child.pid === undefined) {
    throw new Error(`could not start ${name} (${binary}): spawn returned no pid`);
  }
  const pid = child.pid;
  fs.writeFileSync(path.join(pidDir, `${name}.pid`), `${pid}\n`);
  let running = true;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      resolve(signal ?? String(code));
    });
    // 'error' (e.g. ENOENT) is followed by no 'exit' event on some paths.
    child.once('error', (err) => {
      running = false;
      fs.appendFileSync(logPath, `\n[harness] spawn error: ${err.message}\n`);
      resolve(`error: ${err.message}`);
    });
  });
  // Never hold the event loop open for a component: a test that forgets stop()
  // must still let jest exit, and then the 'exit' handler (or, for persistent
  // clusters, `local-cluster down`) kills the component.
  child.unref();
  return { name, pid, logPath, child, exited, isRunning: () => running };
}

/**
 * The real `process` object. Inside jest, test code sees a copy of it with its own
 * event registry, so `process.on('exit' | 'SIGINT', ...)` registered there never
 * fires; code evaluated in the host context gets the object Node actually emits on.
 * Outside jest this is simply `process`.
 */
export function hostProcess(): NodeJS.Process {
  return vm.runInThisContext('process') as NodeJS.Process;
}

/** Whether `pid` is a live (non-zombie) process. Works for processes we did not spawn. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0); in a container whose PID 1 does not reap orphans
  // it would stay that way forever, so read its state.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Send `signal` to the process group led by `pid` (falls back to the pid alone). */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * SIGTERM the group, give it `graceMs` to exit, then SIGKILL. Resolves once the
 * leader is gone (reaped, for our own children).
 */
export async function stopProcess(proc: { pid: number; exited?: Promise<string> }, graceMs = 5000): Promise<void> {
  const gone = async (deadline: number): Promise<boolean> => {
    while (Date.now() < deadline) {
      if (!isAlive(proc.pid)) {
        return true;
      }
      await sleep(50);
    }
    return !isAlive(proc.pid);
  };
  signalGroup(proc.pid, 'SIGTERM');
  if (!(await gone(Date.now() + graceMs))) {
    signalGroup(proc.pid, 'SIGKILL');
    await gone(Date.now() + 5000);
  }
  // Our own child: also wait for Node to see the exit, so it is reaped.
  if (proc.exited) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([proc.exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)))]);
    // A pending timer would keep the event loop (and jest) alive for nothing.
    clearTimeout(timer);
  }
}

/** Read `<dir>/pids/*.pid` (written by spawnComponent). */
export function readPidFiles(dir: string): Array<{ name: string; pid: number }> {
  const pidDir = path.join(dir, 'pids');
  if (!fs.existsSync(pidDir)) {
    return [];
  }
  return fs
    .readdirSync(pidDir)
    .filter((f) => f.endsWith('.pid'))
    .map((f) => ({ name: f.slice(0, -4), pid: Number(fs.readFileSync(path.join(pidDir, f), 'utf8').trim()) }))
    .filter((p) => Number.isInteger(p.pid) && p.pid > 1);
}

/** Ask the kernel for a free loopback port. Racy in theory; harmless for loopback tests. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      server.close(() => {
        if (addr && typeof addr === 'object') {
          resolve(addr.port);
        } else {
          reject(new Error('could not allocate a free port'));
        }
      });
    });
  });
}

/** Distinct free ports (the kernel may hand the same one out twice after close). */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    ports.add(await freePort());
  }
  return [...ports];
}

/** Last `lines` lines of a log file, for error messages. */
export function tail(file: string, lines = 30): string {
  try {
    const text = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * A detached shell that watches this Node.js process and, if it disappears without
 * calling stop() (jest killed with SIGKILL, OOM...), kills every process listed in
 * `<dir>/pids` and removes `dir`. stop() kills the watchdog itself first.
 * The script is passed inline (-c) so it does not depend on files inside `dir`.
 */
export function startWatchdog(dir: string): ManagedProcess {
  const script = [
    'parent=$1; dir=$2',
    'while kill -0 "$parent" 2>/dev/null; do sleep 1; done',
    'for f in "$dir"/pids/*.pid; do [ -f "$f" ] || continue; p=$(cat "$f"); kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null; done',
    'sleep 1; rm -rf -- "$dir"',
  ].join('\n');
  const child = spawn('/bin/sh', ['-c', script, 'cluster-watchdog', String(process.pid), dir], {
    detached: true,
    stdio: 'ignore',
  });
  // The watchdog must never keep the test process alive.
  child.unref();
  if (child.pid === undefined) {
    throw new Error('could not start the control-plane watchdog');
  }
  let running = true;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      resolve(signal ?? String(code));
    });
  });
  return { name: 'watchdog', pid: child.pid, logPath: '', child, exited, isRunning: () => running };
}
