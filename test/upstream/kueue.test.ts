/**
 * GPU fairness proven by the real Kueue (v0.19.2 built from its Go module) on real control planes.
 *
 * Per environment, its primary cluster: a test control plane with the platform's objects, Kueue
 * installed from the platform's chart rendering and run as a process with the platform's manager
 * Configuration (only LOOPBACK_FIELDS differ), kwok GPU nodes as the GPU Operator and NFD present
 * them, sized from the spec. Then the scenarios of issue 12, each recorded as expected vs observed
 * and printed as one table at the end. Run: `npm run test:upstream -- kueue`.
 */
import * as YAML from 'yaml';
import { poolSelectorLabels } from '../../constructs/gpu-node-pool';
import { GPU_TAINT, GPU_TOLERATION, poolResourceName } from '../../constructs/gpu-scheduling';
import { kueueManagerConfig } from '../../constructs/kueue-config';
import { workflowNamespaceName } from '../../constructs/platform-namespaces';
import { CPU_FLAVOR, LOCAL_QUEUE, planQueues } from '../../constructs/queue-plan';
import { clusterStages, loadEnvironment, PlatformSpec } from '../../environments';
import { RenderContext } from '../../stacks/upstream/addon-render';
import { defaultRenderContext } from '../../stacks/upstream/render-context';
import { KubeApi } from '../cluster/api-client';
import { createPod, podManifest, poll } from '../cluster/platform-helpers';
import { ensureTools, Tools } from '../tools/build';
import { condition, createJob, deleteJob, getJob, isTrue, jobManifest, JobOptions, podsOfJob, QUEUE_LABEL, waitForWorkload, usageOnceSettled, Workload, workloadOfJob } from './kueue/jobs';
import { configDifferences, LOOPBACK_FIELDS } from './kueue/kueue-process';
import { ScenarioTable } from './kueue/results';
import { ScenarioCluster, startScenarioCluster, waitActive } from './kueue/scenario-cluster';

const TABLE = new ScenarioTable();
const SUITE_STARTED = Date.now();
let tools: Tools;
let ctx: RenderContext;

beforeAll(async () => {
  tools = await ensureTools();
  process.env.HELM ??= tools.helm;
  ctx = defaultRenderContext();
  if (ctx.charts.kind !== 'directory') throw new Error('the Kueue suite renders the chart from a repository on disk: ../shared/charts beside the clone, or HML_CHART_REPOSITORY=<directory>');
}, 30 * 60 * 1000);

afterAll(() => {
  if (TABLE.results.length === 0) return;
  const passed = TABLE.results.filter((r) => r.ok).length;
  process.stdout.write(`\nThe real Kueue, scenario by scenario (${passed}/${TABLE.results.length} as expected, suite ${Math.round((Date.now() - SUITE_STARTED) / 1000)} s):\n${TABLE.markdown()}\n`);
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything a scenario needs about one environment's primary cluster. */
interface Env {
  readonly name: string;
  readonly spec: PlatformSpec;
  sc?: ScenarioCluster;
}

function live(e: Env): ScenarioCluster {
  if (e.sc === undefined) throw new Error(`${e.name}: the cluster did not come up`);
  return e.sc;
}

const image = (e: Env): string => `${live(e).cluster.registry.endpoint}/trainer:1.0.0${e.spec.images.requireDigest ? `@sha256:${'0123456789abcdef'.repeat(4)}` : ''}`;

/** Submits a Job and waits for its Workload to be admitted; seconds from submission. */
async function submitAdmitted(e: Env, o: Omit<JobOptions, 'image'>, timeoutMs = 60000): Promise<{ workload: Workload; seconds: number }> {
  const api = live(e).api;
  const t = Date.now();
  const res = await createJob(api, jobManifest({ ...o, image: image(e) }));
  if (res.status !== 201) throw new Error(`${o.namespace}/${o.name}: ${res.status} ${res.message}`);
  const workload = await waitForWorkload(api, o.namespace, o.name, 'Admitted', (w) => isTrue(w, 'Admitted'), timeoutMs);
  return { workload, seconds: (Date.now() - t) / 1000 };
}

/** admitted, evicted (<reason>) or pending (<reason>), from the Workload's conditions. */
function stateOf(w: Workload | undefined): string {
  if (w === undefined) return 'no workload';
  if (isTrue(w, 'Admitted')) return 'admitted';
  const evicted = condition(w, 'Evicted');
  if (evicted?.status === 'True') return `evicted (${evicted.reason ?? '?'})`;
  return `pending (${condition(w, 'QuotaReserved')?.reason ?? '?'})`;
}

/** Pods of the Job once all `count` run; their nodes. */
async function runningNodes(api: KubeApi, ns: string, job: string, count: number, timeoutMs = 60000): Promise<string[]> {
  return poll(`${ns}/${job}: ${count} pods Running`, async () => {
    const pods = (await podsOfJob(api, ns, job)).filter((p) => p.status.phase === 'Running');
    return pods.length >= count ? pods.map((p) => p.spec.nodeName ?? '').sort() : undefined;
  }, timeoutMs, 250);
}

/** Deletes every Job in the team namespaces and waits until no Workload holds quota. */
async function cleanUp(e: Env): Promise<void> {
  const { api, spec, cluster } = live(e);
  const namespaces = spec.teams.flatMap((t) => clusterStages(spec, cluster).map((s) => workflowNamespaceName(t.name, s)));
  for (const ns of namespaces) {
    const jobs = await api.json<{ items: { metadata: { name: string } }[] }>('GET', `/apis/batch/v1/namespaces/${ns}/jobs`);
    for (const j of jobs.items) await deleteJob(api, ns, j.metadata.name);
  }
  await poll('no Workload left', async () => {
    const wl = await api.json<{ items: unknown[] }>('GET', '/apis/kueue.x-k8s.io/v1beta2/workloads');
    return wl.items.length === 0 ? true : undefined;
  }, 120000, 500);
  await poll('no job pod left', async () => {
    const pods = await api.json<{ items: unknown[] }>('GET', `/api/v1/pods?labelSelector=${encodeURIComponent('ml.platform/test=kueue')}`);
    return pods.items.length === 0 ? true : undefined;
  }, 120000, 500);
}

describe.each(['dev'])('%s: primary cluster with the real Kueue', (envName) => {
  const e: Env = { name: envName, spec: loadEnvironment(envName) };
  const cluster = e.spec.clusters.find((c) => c.role === 'primary');
  if (cluster === undefined) throw new Error(`${envName} has no primary cluster`);
  const plan = planQueues(e.spec, cluster, clusterStages(e.spec, cluster));
  const team = e.spec.teams[0];
  const trainNs = workflowNamespaceName(team.name, 'training');
  const servNs = workflowNamespaceName(team.name, 'serving');
  const pool = cluster.gpuPools.filter((p) => p.enabled)[0];
  const gpu = poolResourceName(pool);

  beforeAll(async () => {
    e.sc = await startScenarioCluster(e.spec, cluster, { ctx, kueueBinary: tools.kueue });
  }, 15 * 60 * 1000);

  afterAll(async () => {
    await e.sc?.stop();
  });

  afterEach(async () => {
    if (e.sc !== undefined) await cleanUp(e);
  }, 5 * 60 * 1000);

  test('Kueue runs with the manager Configuration the platform hands the chart; only the loopback fields differ', () => {
    const sc = live(e);
    const multiKueue = cluster.role === 'primary' && e.spec.clusters.some((c) => c.role === 'burst');
    // The chart adds its internalCertManagement default to what the platform passes.
    const { internalCertManagement: _ignored, ...passed } = sc.kueue.chartConfig;
    const platform = YAML.parse(kueueManagerConfig({ multiKueue })) as Record<string, unknown>;
    TABLE.record(envName, 'chart ConfigMap holds the platform Configuration (plus the chart default internalCertManagement)', [], configDifferences(platform, passed));
    TABLE.record(envName, 'fields the loopback process changes', Object.keys(LOOPBACK_FIELDS).sort(), configDifferences(sc.kueue.chartConfig, sc.kueue.config).sort());
    TABLE.record(envName, 'Kueue ready (readyz, CA injected by its own rotator)', 'running', sc.kueue.process.isRunning() ? 'running' : 'exited', sc.kueue.readySeconds);
    expect(configDifferences(platform, passed)).toEqual([]);
    expect(configDifferences(sc.kueue.chartConfig, sc.kueue.config).sort()).toEqual(Object.keys(LOOPBACK_FIELDS).sort());
    expect(sc.kueue.process.isRunning()).toBe(true);
  });

  test("Kueue's webhooks accept the platform's Kueue objects and every team ClusterQueue becomes Active", async () => {
    const sc = live(e);
    const refused = sc.kueueVerdicts.filter((v) => !v.ok).map((v) => `${v.key}: ${v.message ?? ''}`);
    TABLE.record(envName, `platform Kueue objects accepted (${sc.kueueObjects.length})`, [], refused);
    const expected = plan.clusterQueues.filter((q) => q.admissionCheck === undefined).map((q) => q.name).sort();
    const active = await waitActive(sc.api, expected);
    TABLE.record(envName, 'ClusterQueues Active', expected, active.filter((n) => expected.includes(n)));
    expect(refused).toEqual([]);
    expect(active.filter((n) => expected.includes(n))).toEqual(expected);
  });

  test("a team's GPU Job is admitted on the pool flavor, gets the flavor's node labels and toleration, and runs on a node of the pool", async () => {
    const sc = live(e);
    const { workload, seconds } = await submitAdmitted(e, { name: 'train-gpu', namespace: trainNs, queue: LOCAL_QUEUE, gpus: { [gpu]: '1' } });
    const nodes = await runningNodes(sc.api, trainNs, 'train-gpu', 1);
    const [pod] = await podsOfJob(sc.api, trainNs, 'train-gpu');
    const poolOf = (node: string): string | undefined => sc.gpuNodes.find((n) => n.name === node)?.pool;
    const observed = {
      clusterQueue: workload.status?.admission?.clusterQueue,
      flavors: workload.status?.admission?.podSetAssignments[0]?.flavors,
      nodeSelector: pod.spec.nodeSelector,
      tolerates: pod.spec.tolerations?.some((t) => t.key === GPU_TAINT.key && t.effect === GPU_TAINT.effect) === true,
      pool: poolOf(nodes[0]),
    };
    const expected = { clusterQueue: team.name, flavors: { cpu: CPU_FLAVOR, memory: CPU_FLAVOR, [gpu]: pool.name }, nodeSelector: poolSelectorLabels(cluster.provider, pool), tolerates: true, pool: pool.name };
    TABLE.record(envName, `GPU Job in ${trainNs} (queue ${LOCAL_QUEUE}, 1 ${gpu})`, expected, observed, seconds);
    expect(observed).toEqual(expected);
  });

  test('a CPU-only Job is admitted on the cpu flavor and never lands on a GPU node', async () => {
    const sc = live(e);
    const { workload, seconds } = await submitAdmitted(e, { name: 'train-cpu', namespace: trainNs, queue: LOCAL_QUEUE, parallelism: 2 });
    const nodes = await runningNodes(sc.api, trainNs, 'train-cpu', 2);
    const observed = { clusterQueue: workload.status?.admission?.clusterQueue, flavors: workload.status?.admission?.podSetAssignments[0]?.flavors, nodes };
    const expected = { clusterQueue: team.name, flavors: { cpu: CPU_FLAVOR, memory: CPU_FLAVOR }, nodes: [sc.cpuNodeName, sc.cpuNodeName] };
    TABLE.record(envName, 'CPU-only Job (queue gpu, 2 pods)', expected, observed, seconds);
    expect(observed).toEqual(expected);
  });

  test("GPU devices are counted in the pool's own unit", async () => {
    const sc = live(e);
    const { seconds } = await submitAdmitted(e, { name: 'train-units', namespace: trainNs, queue: LOCAL_QUEUE, gpus: { [gpu]: '1' }, parallelism: 3 });
    await runningNodes(sc.api, trainNs, 'train-units', 3);
    const observed = await usageOnceSettled(sc.api, team.name, `${pool.name}/${gpu}`, '3');
    TABLE.record(envName, `3 pods x 1 ${gpu}: ClusterQueue usage on ${pool.name}`, '3', observed, seconds);
    expect(observed).toBe('3');
  });

  test('GPU work in a team namespace cannot bypass the queues; system namespaces are never gated', async () => {
    const sc = live(e);
    // What a user bypassing the queue writes: the GPU toleration and the pool's node selector themselves.
    const bypass = { tolerations: [{ ...GPU_TOLERATION }], nodeSelector: poolSelectorLabels(cluster.provider, pool) };
    const fate = async (ns: string, name: string, gpus?: Record<string, string>): Promise<string> => {
      const res = await createJob(sc.api, jobManifest({ name, namespace: ns, image: image(e), gpus, ...(gpus === undefined ? {} : bypass), serviceAccountName: ns.startsWith(`${team.name}-`) ? undefined : 'default' }));
      if (res.status !== 201) return `refused (${res.status})`;
      await sleep(8000);
      const job = await getJob(sc.api, ns, name);
      const pods = await podsOfJob(sc.api, ns, name);
      const running = pods.filter((p) => p.status.phase === 'Running');
      if (running.length > 0) return `running outside Kueue on ${running.map((p) => p.spec.nodeName ?? '?').join(',')}`;
      if (job.spec.suspend === true) return 'held (suspended)';
      return `not suspended, pods ${JSON.stringify(pods.map((p) => p.status.phase))}, job ${JSON.stringify(job.status?.conditions?.map((c) => c.reason) ?? [])}`;
    };
    const heldOrRefused = (s: string): string => (s === 'held (suspended)' || s.startsWith('refused') ? 'held or refused' : s);
    const gpuNoQueue = await fate(trainNs, 'no-queue-gpu', { [gpu]: '1' });
    TABLE.record(envName, `GPU Job without ${QUEUE_LABEL} in ${trainNs}`, 'held or refused', heldOrRefused(gpuNoQueue));
    // A bare GPU pod: Kueue's pod integration gates it (schedulingGates) until it has a queue.
    const podRes = await createPod(sc.api, podManifest({ name: 'no-queue-pod', namespace: trainNs, image: image(e), resources: { limits: { cpu: '500m', memory: '1Gi', [gpu]: '1' } }, ...bypass, labels: { 'ml.platform/test': 'kueue' } }));
    await sleep(3000);
    const pod = podRes.status === 201 ? await sc.api.json<{ spec: { nodeName?: string; schedulingGates?: { name: string }[] } }>('GET', `/api/v1/namespaces/${trainNs}/pods/no-queue-pod`) : undefined;
    const podFate = podRes.status !== 201 ? `refused (${podRes.status})` : pod?.spec.nodeName !== undefined ? `running outside Kueue on ${pod.spec.nodeName}` : (pod?.spec.schedulingGates ?? []).length > 0 ? `held (gated: ${(pod?.spec.schedulingGates ?? []).map((g) => g.name).join(',')})` : 'pending, not gated';
    TABLE.record(envName, `GPU pod without ${QUEUE_LABEL} in ${trainNs}`, 'held or refused', podFate.startsWith('held') || podFate.startsWith('refused') ? 'held or refused' : podFate);
    await sc.api.request('DELETE', `/api/v1/namespaces/${trainNs}/pods/no-queue-pod?gracePeriodSeconds=0`);
    // A stage without LocalQueues: not gated, and its ResourceQuota has no GPU budget.
    const prepNs = workflowNamespaceName(team.name, 'data-prep');
    const prepGpu = await createPod(sc.api, podManifest({ name: 'prep-gpu', namespace: prepNs, image: image(e), resources: { limits: { cpu: '500m', memory: '1Gi', [gpu]: '1' } }, ...bypass }));
    TABLE.record(envName, `GPU pod in ${prepNs} (no LocalQueue there)`, 'refused (403)', prepGpu.status === 201 ? 'created' : `refused (${prepGpu.status})`);
    const prepCpu = await fate(prepNs, 'prep-cpu');
    TABLE.record(envName, `CPU Job without a queue name in ${prepNs}`, 'running outside Kueue on cpu-0', prepCpu);
    await deleteJob(sc.api, prepNs, 'prep-cpu');
    expect(podFate.startsWith('held') || podFate.startsWith('refused')).toBe(true);
    expect(prepGpu.status).toBe(403);
    expect(prepCpu).toBe('running outside Kueue on cpu-0');
    const systemNs = 'platform-ci';
    const system = await fate(systemNs, 'system-job');
    TABLE.record(envName, `Job without a queue name in ${systemNs} (not a team namespace)`, 'running outside Kueue on cpu-0', system);
    await deleteJob(sc.api, systemNs, 'system-job');
    expect(heldOrRefused(gpuNoQueue)).toBe('held or refused');
    expect(system).toBe('running outside Kueue on cpu-0');
  });

  test('production-serving preempts experiments inside the ClusterQueue; training sits between', async () => {
    const sc = live(e);
    // Fill the team's quota on the pool: experiments in serving, training in training (each within its namespace's ResourceQuota).
    const quota = Number(team.poolQuotas[pool.name] ?? 0);
    const servingShare = Number(team.quotas.serving?.[gpu === 'nvidia.com/gpu.shared' ? 'sharedGpu' : 'gpu'] ?? 0);
    const trainingShare = quota - servingShare;
    const one = { [gpu]: '1' };
    await submitAdmitted(e, { name: 'exp-serving', namespace: servNs, queue: LOCAL_QUEUE, priorityClass: 'experiments', gpus: one, parallelism: servingShare });
    await submitAdmitted(e, { name: 'train-training', namespace: trainNs, queue: LOCAL_QUEUE, priorityClass: 'training', gpus: one, parallelism: trainingShare });
    const { seconds } = await submitAdmitted(e, { name: 'prod-serving', namespace: servNs, queue: LOCAL_QUEUE, priorityClass: 'production-serving', gpus: one }, 120000);
    const exp = await workloadOfJob(sc.api, servNs, 'exp-serving');
    const trn = await workloadOfJob(sc.api, trainNs, 'train-training');
    const observed = { production: 'admitted', experiments: stateOf(exp), training: stateOf(trn) };
    TABLE.record(envName, `quota full (${servingShare} experiments + ${trainingShare} training), then production-serving asks for 1`, { production: 'admitted', experiments: 'evicted (Preempted)', training: 'admitted' }, observed, seconds);
    await runningNodes(sc.api, servNs, 'prod-serving', 1);
    // Production leaves: experiments come back; then training asks for 1 more and experiments yield again.
    await deleteJob(sc.api, servNs, 'prod-serving');
    await waitForWorkload(sc.api, servNs, 'exp-serving', 'readmitted', (w) => isTrue(w, 'Admitted'), 120000);
    const second = await submitAdmitted(e, { name: 'train-serving', namespace: servNs, queue: LOCAL_QUEUE, priorityClass: 'training', gpus: one }, 120000);
    const exp2 = await workloadOfJob(sc.api, servNs, 'exp-serving');
    const trn2 = await workloadOfJob(sc.api, trainNs, 'train-training');
    const observed2 = { newTraining: 'admitted', experiments: stateOf(exp2), olderTraining: stateOf(trn2) };
    TABLE.record(envName, 'quota full again, then training asks for 1', { newTraining: 'admitted', experiments: 'evicted (Preempted)', olderTraining: 'admitted' }, observed2, second.seconds);
    expect(observed).toEqual({ production: 'admitted', experiments: 'evicted (Preempted)', training: 'admitted' });
    expect(observed2).toEqual({ newTraining: 'admitted', experiments: 'evicted (Preempted)', olderTraining: 'admitted' });
  });
});
