/**
 * Smoke test of the integration-test control plane: the real admission chain
 * (PodSecurity, ResourceQuota), the real scheduler against kwok fake GPU nodes,
 * and a clean shutdown. Run with `npx jest -c jest.cluster.config.js`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { TEST_TOOLCHAIN } from '../../constructs/catalog/toolchain';
import { ensureBinaries } from './build';
import { ControlPlane, startControlPlane } from './control-plane';
import { createFakeNode, startKwok } from './kwok';
import { poll } from './platform-helpers';
import { isAlive } from './process';

let cp: ControlPlane | undefined;

const cluster = (): ControlPlane => {
  if (!cp) {
    throw new Error('control plane not started');
  }
  return cp;
};

async function kubectlOk(args: readonly string[], input?: string): Promise<string> {
  const res = await cluster().kubectl(args, input);
  if (res.code !== 0) {
    throw new Error(`kubectl ${args.join(' ')} failed (${res.code}): ${res.stderr}`);
  }
  return res.stdout;
}

/** Create a namespace and wait for its default service account (ServiceAccount admission needs it). */
async function createNamespace(name: string, labels: Record<string, string> = {}): Promise<void> {
  await kubectlOk(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }));
  await poll(`serviceaccount default in ${name}`, async () => {
    const res = await cluster().get(`/api/v1/namespaces/${name}/serviceaccounts/default`);
    return res.status === 200 ? true : undefined;
  });
}

const restrictedContainer = {
  name: 'app',
  image: 'registry.example/app:1',
  securityContext: {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    runAsNonRoot: true,
    runAsUser: 1000,
    seccompProfile: { type: 'RuntimeDefault' },
  },
};

const pod = (name: string, namespace: string, spec: Record<string, unknown>): string =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec });

/** Figures and messages printed at the end, so a run documents what it saw. */
const timings: Record<string, string> = {};
const seen: Record<string, string> = {};

// A first run on a fresh machine builds six binaries (several minutes on 2 cores):
// give the hook far more than the 600 s test timeout.
beforeAll(async () => {
  let t = Date.now();
  await ensureBinaries();
  timings.binaries = `${((Date.now() - t) / 1000).toFixed(1)}s`;
  t = Date.now();
  cp = await startControlPlane();
  timings.controlPlaneStart = `${((Date.now() - t) / 1000).toFixed(1)}s`;
  t = Date.now();
  await startKwok(cp);
  timings.kwokStart = `${((Date.now() - t) / 1000).toFixed(1)}s`;
}, 45 * 60 * 1000);

afterAll(async () => {
  await cp?.stop();
  process.stderr.write(`[control-plane.test] timings: ${JSON.stringify(timings)}\n`);
  for (const [k, v] of Object.entries(seen)) {
    process.stderr.write(`[control-plane.test] ${k}: ${v.trim()}\n`);
  }
});

test('kubectl reports the pinned server version', async () => {
  const out = JSON.parse(await kubectlOk(['version', '-o', 'json'])) as { serverVersion: { gitVersion: string }; clientVersion: { gitVersion: string } };
  expect(out.serverVersion.gitVersion).toBe(TEST_TOOLCHAIN.kubernetes);
  expect(out.clientVersion.gitVersion).toBe(TEST_TOOLCHAIN.kubernetes);
});

test('PodSecurity restricted refuses a privileged pod and admits a compliant one', async () => {
  await createNamespace('psa-restricted', { 'pod-security.kubernetes.io/enforce': 'restricted' });
  const privileged = await cluster().kubectl(
    ['create', '-f', '-'],
    pod('privileged', 'psa-restricted', { containers: [{ name: 'app', image: 'registry.example/app:1', securityContext: { privileged: true } }] }),
  );
  seen.podSecurityRefusal = privileged.stderr;
  expect(privileged.code).not.toBe(0);
  expect(privileged.stderr).toContain('violates PodSecurity "restricted:latest"');
  expect(privileged.stderr).toContain('privileged');

  await kubectlOk(['create', '-f', '-'], pod('compliant', 'psa-restricted', { containers: [restrictedContainer] }));
});

test('ResourceQuota on requests.nvidia.com/gpu refuses a pod asking for more', async () => {
  await createNamespace('quota');
  await kubectlOk(
    ['create', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'gpu', namespace: 'quota' }, spec: { hard: { 'requests.nvidia.com/gpu': '1' } } }),
  );
  // Quota admission refuses everything while the controller manager has not yet
  // filled in status.hard ("status unknown for quota"), so wait for it.
  await poll('quota status', async () => {
    const out = await kubectlOk(['get', 'resourcequota', 'gpu', '-n', 'quota', '-o', 'jsonpath={.status.hard}']);
    return out.includes('nvidia.com/gpu') ? true : undefined;
  });
  const gpus = (n: string) => ({ requests: { 'nvidia.com/gpu': n }, limits: { 'nvidia.com/gpu': n } });
  const refused = await cluster().kubectl(['create', '-f', '-'], pod('two-gpus', 'quota', { containers: [{ name: 'train', image: 'registry.example/train:1', resources: gpus('2') }] }));
  seen.quotaRefusal = refused.stderr;
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain('exceeded quota');
  await kubectlOk(['create', '-f', '-'], pod('one-gpu', 'quota', { containers: [{ name: 'train', image: 'registry.example/train:1', resources: gpus('1') }] }));
});

test('the scheduler places a tolerating GPU pod on a kwok GPU node, and not an untolerating one', async () => {
  await createFakeNode(cluster(), {
    name: 'gpu-node-1',
    labels: { 'ml.platform/pool': 'test' },
    taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
    capacity: { 'nvidia.com/gpu': '8' },
  });
  const allocatable = await kubectlOk(['get', 'node', 'gpu-node-1', '-o', "jsonpath={.status.allocatable['nvidia\\.com/gpu']}"]);
  expect(allocatable).toBe('8');

  await createNamespace('sched');
  await kubectlOk(
    ['create', '-f', '-'],
    pod('gpu-job', 'sched', {
      nodeSelector: { 'ml.platform/pool': 'test' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      containers: [{ name: 'train', image: 'registry.example/train:1', resources: { requests: { 'nvidia.com/gpu': '2' }, limits: { 'nvidia.com/gpu': '2' } } }],
    }),
  );
  await kubectlOk(['create', '-f', '-'], pod('cpu-job', 'sched', { containers: [{ name: 'app', image: 'registry.example/app:1', resources: { requests: { cpu: '100m' } } }] }));

  const started = Date.now();
  const phase = await poll('gpu-job Running', async () => {
    const out = await kubectlOk(['get', 'pod', 'gpu-job', '-n', 'sched', '-o', 'jsonpath={.spec.nodeName} {.status.phase}']);
    return out === 'gpu-node-1 Running' ? out : undefined;
  });
  expect(phase).toBe('gpu-node-1 Running');
  seen.gpuPod = `gpu-job -> ${phase}`;
  timings.gpuPodRunning = `${((Date.now() - started) / 1000).toFixed(1)}s`;

  const unschedulable = await poll('cpu-job Unschedulable', async () => {
    const out = JSON.parse(await kubectlOk(['get', 'pod', 'cpu-job', '-n', 'sched', '-o', 'json'])) as {
      spec: { nodeName?: string };
      status: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> };
    };
    const cond = out.status.conditions?.find((c) => c.type === 'PodScheduled');
    return cond?.status === 'False' ? { nodeName: out.spec.nodeName, cond } : undefined;
  });
  seen.cpuPodScheduling = `${unschedulable.cond.reason}: ${unschedulable.cond.message ?? ''}`;
  expect(unschedulable.nodeName).toBeUndefined();
  expect(unschedulable.cond.reason).toBe('Unschedulable');
  expect(unschedulable.cond.message).toContain('untolerated taint');
});

test('stop() leaves no process and no directory behind', async () => {
  const c = cluster();
  const pids = c.processes.map((p) => p.pid);
  expect(pids.length).toBeGreaterThanOrEqual(5);
  await c.stop();
  expect(pids.filter((pid) => isAlive(pid))).toEqual([]);
  const pgrep = spawnSync('pgrep', ['-f', c.dir], { encoding: 'utf8' });
  // pgrep exits 1 when nothing matches.
  expect(pgrep.stdout.trim()).toBe('');
  expect(pgrep.status).toBe(1);
  expect(fs.existsSync(c.dir)).toBe(false);
  seen.afterStop = `${pids.length} pids all gone, pgrep -f ${c.dir}: no match, dir removed`;
});
