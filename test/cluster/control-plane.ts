/**
 * A real Kubernetes control plane on loopback: etcd + kube-apiserver +
 * kube-controller-manager + kube-scheduler, built from Go modules (see build.ts).
 * No kubelet: pods are only scheduled; kwok.ts can make fake nodes run them.
 *
 * Everything lives in one directory (certs, kubeconfigs, etcd data, logs, pid
 * files); stop() kills every process group and removes it. For tests the directory
 * is a fresh temp dir, cleaned up also on process exit, SIGINT/SIGTERM, and by a
 * watchdog if the test process dies without running any handler.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { Binaries, ensureBinaries } from './build';
import { generatePki, Pki, writeKubeconfig } from './pki';
import { freePorts, hostProcess, ManagedProcess, spawnComponent, startWatchdog, stopProcess, tail } from './process';

export interface ControlPlaneOptions {
  /** Prebuilt binaries; defaults to ensureBinaries() (builds on first use). */
  readonly binaries?: Binaries;
  /** Use this directory instead of a fresh temp dir (local-cluster keeps its state there). */
  readonly dir?: string;
  /**
   * Leave the processes running after this Node.js process exits (local-cluster up):
   * no exit handlers, no watchdog; `local-cluster down` stops them from the pid files.
   */
  readonly persistent?: boolean;
  /** Service ClusterIP range; the first address goes into the serving cert. */
  readonly serviceClusterIpRange?: string;
  /** Appended to kube-apiserver's flags, e.g. ['--feature-gates=Foo=true']. */
  readonly extraApiserverArgs?: readonly string[];
  /** How long to wait for the whole control plane; default 120 s. */
  readonly startTimeoutMs?: number;
  /** Progress messages; default prints to stderr. Pass () => undefined to silence. */
  readonly log?: (msg: string) => void;
}

export interface KubectlResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

export interface ControlPlane {
  readonly kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  readonly dir: string;
  readonly binaries: Binaries;
  readonly pki: Pki;
  /** Processes started so far (kwok adds itself through addComponent). */
  readonly processes: readonly ManagedProcess[];
  /** Run the pinned kubectl against this cluster; never throws on a non-zero exit. */
  kubectl(args: readonly string[], input?: string): Promise<KubectlResult>;
  /** GET a path on the apiserver as the admin user. */
  get(apiPath: string): Promise<{ status: number; body: string }>;
  /** Start another process whose lifetime is tied to this control plane. */
  addComponent(name: string, binary: string, args: readonly string[]): ManagedProcess;
  /** Kill every process, wait for them to exit and remove dir. Idempotent. */
  stop(): Promise<void>;
}

/** First host address of an IPv4 range whose base ends in .0 (the `kubernetes` service IP). */
const FIRST_SERVICE_IP = (cidr: string): string => {
  const [base] = cidr.split('/');
  const octets = base.split('.').map(Number);
  octets[3] += 1;
  return octets.join('.');
};

// --- process-wide cleanup -------------------------------------------------

const live = new Set<ControlPlane>();
const watchdogs = new Map<ControlPlane, ManagedProcess>();
let handlersInstalled = false;

/** Best-effort synchronous cleanup: 'exit' handlers cannot await. */
function killAllSync(): void {
  for (const cp of live) {
    const watchdog = watchdogs.get(cp);
    for (const p of [...(watchdog ? [watchdog] : []), ...cp.processes]) {
      try {
        process.kill(-p.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    fs.rmSync(cp.dir, { recursive: true, force: true });
  }
  live.clear();
}

function installHandlers(): void {
  if (handlersInstalled) {
    return;
  }
  handlersInstalled = true;
  const host = hostProcess();
  host.on('exit', killAllSync);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    host.once(signal, () => {
      void Promise.allSettled([...live].map((cp) => cp.stop())).finally(() => host.exit(code));
    });
  }
}

// --- HTTP -------------------------------------------------------------------

function httpsGet(url: string, pki: Pki, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      url,
      {
        ca: fs.readFileSync(pki.ca.cert),
        cert: fs.readFileSync(pki.admin.cert),
        key: fs.readFileSync(pki.admin.key),
        timeout: timeoutMs,
        // No keep-alive pool: idle sockets would keep jest from exiting after stop().
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs}ms`)));
    req.on('error', reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// --- start ------------------------------------------------------------------

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const log = opts.log ?? ((msg: string) => process.stderr.write(`[control-plane] ${msg}\n`));
  const binaries = opts.binaries ?? (await ensureBinaries());
  const started = Date.now();
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hml-cp-'));
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const persistent = opts.persistent ?? false;
  const serviceRange = opts.serviceClusterIpRange ?? '10.96.0.0/16';
  const processes: ManagedProcess[] = [];
  let watchdog: ManagedProcess | undefined;
  let stopping: Promise<void> | undefined;
  let server = '';

  const addComponent = (name: string, binary: string, args: readonly string[]): ManagedProcess => {
    const proc = spawnComponent(name, binary, args, { dir });
    processes.push(proc);
    return proc;
  };

  const doStop = async (): Promise<void> => {
    // The watchdog first, so it cannot race us on the directory.
    if (watchdog) {
      await stopProcess(watchdog, 1000);
    }
    // Reverse start order: clients before the apiserver, the apiserver before etcd.
    for (const p of [...processes].reverse()) {
      await stopProcess(p);
    }
    live.delete(cp);
    watchdogs.delete(cp);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // Idempotent, and a second caller (a signal during a test's afterAll) waits for the first.
  const stop = (): Promise<void> => (stopping ??= doStop());

  const kubeconfigPath = path.join(dir, 'admin.kubeconfig');
  let pki: Pki | undefined;
  const cp: ControlPlane = {
    kubeconfigPath,
    get server(): string {
      return server;
    },
    dir,
    binaries,
    get pki(): Pki {
      if (!pki) {
        throw new Error('PKI not generated yet');
      }
      return pki;
    },
    processes,
    kubectl: (args, input) => runKubectl(binaries.kubectl, kubeconfigPath, args, input),
    get: (apiPath) => httpsGet(`${cp.server}${apiPath}`, cp.pki),
    addComponent,
    stop,
  };

  if (!persistent) {
    installHandlers();
    live.add(cp);
    watchdog = startWatchdog(dir);
    watchdogs.set(cp, watchdog);
  }

  try {
    pki = await generatePki(dir, { extraIps: [FIRST_SERVICE_IP(serviceRange)] });
    const [etcdClient, etcdPeer, apiPort] = await freePorts(3);
    server = `https://127.0.0.1:${apiPort}`;

    writeKubeconfig(kubeconfigPath, server, pki.ca.cert, pki.admin, 'admin');
    const kcmKubeconfig = path.join(dir, 'controller-manager.kubeconfig');
    writeKubeconfig(kcmKubeconfig, server, pki.ca.cert, pki.controllerManager, 'system:kube-controller-manager');
    const schedKubeconfig = path.join(dir, 'scheduler.kubeconfig');
    writeKubeconfig(schedKubeconfig, server, pki.ca.cert, pki.scheduler, 'system:kube-scheduler');

    // etcd: plain HTTP is fine on loopback in a private temp dir; fsync off because
    // durability of a throwaway test database is worth nothing and fsync is slow.
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    const etcd = addComponent('etcd', binaries.etcd, [
      '--name=test',
      `--data-dir=${path.join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=test=${peerUrl}`,
      '--initial-cluster-state=new',
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ]);

    const apiserver = addComponent('kube-apiserver', binaries.kubeApiserver, [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${path.join(dir, 'apiserver-certs')}`,
      `--tls-cert-file=${pki.apiserver.cert}`,
      `--tls-private-key-file=${pki.apiserver.key}`,
      `--client-ca-file=${pki.ca.cert}`,
      '--authorization-mode=Node,RBAC',
      // All default-on already; listed so the tests' expectations are explicit.
      '--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,PodSecurity,ResourceQuota,DefaultTolerationSeconds,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ValidatingAdmissionPolicy',
      // Otherwise a privileged pod is refused by the apiserver itself, and the
      // tests could not tell that PodSecurity is what refuses it.
      '--allow-privileged=true',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      `--service-cluster-ip-range=${serviceRange}`,
      // The endpoint reconciler would publish 127.0.0.1 for the `kubernetes`
      // service, which EndpointSlice validation rejects (loopback), every few seconds.
      '--endpoint-reconciler-type=none',
      '--profiling=false',
      ...(opts.extraApiserverArgs ?? []),
    ]);

    const deadline = Date.now() + (opts.startTimeoutMs ?? 120000);
    const waitFor = async (what: string, check: () => Promise<boolean>): Promise<void> => {
      for (;;) {
        const dead = processes.find((p) => !p.isRunning());
        if (dead) {
          throw new Error(`${dead.name} exited while waiting for ${what}`);
        }
        if (await check().catch(() => false)) {
          return;
        }
        if (Date.now() > deadline) {
          throw new Error(`timed out waiting for ${what}`);
        }
        await sleep(200);
      }
    };

    await waitFor('etcd', async () => (await httpGetPlain(`${etcdUrl}/health`)).includes('"health":"true"'));
    log(`etcd ready (pid ${etcd.pid}) after ${secs(started)}`);
    await waitFor('kube-apiserver /readyz', async () => (await cp.get('/readyz')).status === 200);
    log(`kube-apiserver ready at ${server} (pid ${apiserver.pid}) after ${secs(started)}`);

    // Started only now: both give up if the apiserver is not healthy within seconds.
    addComponent('kube-controller-manager', binaries.kubeControllerManager, [
      `--kubeconfig=${kcmKubeconfig}`,
      `--authentication-kubeconfig=${kcmKubeconfig}`,
      `--authorization-kubeconfig=${kcmKubeconfig}`,
      // No HTTPS endpoint: nothing scrapes it, and it would need another free port.
      '--secure-port=0',
      '--leader-elect=false',
      // Kubernetes 1.35's controller manager has no cloud controllers left to disable.
      '--controllers=*',
      // Each controller gets its own service account, as in a real cluster, so RBAC
      // problems in the platform's own manifests show up here too.
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.ca.cert}`,
      `--cluster-signing-cert-file=${pki.ca.cert}`,
      `--cluster-signing-key-file=${pki.ca.key}`,
      `--service-cluster-ip-range=${serviceRange}`,
      '--cluster-name=hybrid-ml-test',
    ]);
    addComponent('kube-scheduler', binaries.kubeScheduler, [
      `--kubeconfig=${schedKubeconfig}`,
      `--authentication-kubeconfig=${schedKubeconfig}`,
      `--authorization-kubeconfig=${schedKubeconfig}`,
      '--secure-port=0',
      '--leader-elect=false',
    ]);

    // The default service account is created by the controller manager: once it
    // exists, the apiserver, RBAC bootstrap and KCM all work.
    await waitFor('the default namespace', async () => (await cp.get('/api/v1/namespaces/default')).status === 200);
    await waitFor('the default service account', async () => (await cp.get('/api/v1/namespaces/default/serviceaccounts/default')).status === 200);
    log(`control plane ready after ${secs(started)} (dir ${dir})`);
    return cp;
  } catch (err) {
    // Read the logs before stop() removes them; the error carries them to the
    // caller (jest prints it, local-cluster up prints it).
    const logs = processes.map((p) => `--- ${p.name} (${p.logPath}) ---\n${tail(p.logPath)}`).join('\n');
    log(`startup failed: ${(err as Error).message}`);
    await stop();
    throw new Error(`control plane did not start: ${(err as Error).message}\nlast log lines of each component:\n${logs}`);
  }
}

const secs = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)}s`;

function httpGetPlain(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 2000, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Run kubectl with an explicit kubeconfig so the user's own never leaks in. */
export function runKubectl(kubectl: string, kubeconfig: string, args: readonly string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectl, [`--kubeconfig=${kubeconfig}`, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: kubeconfig },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ stdout, stderr, code: code ?? 1 }));
    child.stdin.end(input ?? '');
  });
}
