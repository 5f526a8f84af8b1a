/**
 * LLM services through the teams' serving queues, proven by the real Kueue (v0.19.2 from its Go
 * module, the platform's manager Configuration) and the real scheduler on staging's primary
 * cluster (onprem-dc1: the single-node nlp/llama-8b and the multi-node vision/caption-32b, both on
 * the a100 pool). Staging rather than prod: prod's trusted-image policy requires digests, and the
 * catalog pins the LLM images by tag only, so prod's model servers are refused before Kueue sees
 * them (a product gap the suite's report names; nothing here can invent the digests).
 *
 * The KServe controller does not run here. The scenarios stand in for it by creating exactly the
 * workload object KServe v0.20 creates for the platform's rendered LLMInferenceService and preset
 * (kserve-workloads.ts says which facts come from which KServe source file): a Deployment for a
 * single-node service, a LeaderWorkerSet for a multi-node one, with the `kueue.x-k8s.io/*` labels
 * KServe propagates. LeaderWorkerSet's CRD (the lws 0.8.0 chart's) is installed before Kueue
 * starts; its controller is not run, so a LeaderWorkerSet shows Kueue's decision on its groups
 * (Workloads per group, created by Kueue itself), not pods.
 *
 * Facts from Kueue (kubernetes-sigs/kueue): pods of a Deployment are each a Workload of their own
 * (the pod integration, which the `deployment` integration needs); a LeaderWorkerSet gets one
 * Workload per group with the pod sets `leader` (1) and `worker` (size - 1)
 * (pkg/controller/jobs/leaderworkerset/leaderworkerset_reconciler.go, podSets).
 * Run: `npx jest -c jest.upstream.config.js kueue-serving`.
 */
import { LABEL } from '../../constructs/labels';
import { poolSelectorLabels } from '../../constructs/gpu/gpu-node-pool';
import { GPU_TAINT } from '../../constructs/gpu/gpu-scheduling';
import { LOCAL_QUEUE, QUEUED_STAGES } from '../../constructs/queues/queue-plan';
import { LlmServicePlan, planLlmServices, SERVING_PRIORITY } from '../../constructs/serving/llm-serving-plan';
import { workflowNamespaceName } from '../../constructs/tenancy/platform-namespaces';
import { clusterStages, GpuPoolSpec, TeamSpec } from '../../environments';
import { ManifestObject, renderEnvironment } from '../../stacks/manifests';
import { KubeApi } from '../cluster/api-client';
import { poll } from '../cluster/platform-helpers';
import { isTrue, usageOnceSettled, Workload } from './kueue/jobs';
import { deploymentName, groupSize, kserveDeployment, kserveLeaderWorkerSet, leaderWorkerSetName } from './kueue/kserve-workloads';
import { maxOf } from './kueue/quota';
import { useScenarioTable } from './kueue/results';
import { waitActive } from './kueue/scenario-cluster';
import { live, primaryCluster, stateOf, submitAdmitted, useSuiteTools } from './kueue/scenario-env';
import { fitsIn, ResourceQuotaStatus } from './kueue/quantities';

const suite = useSuiteTools();
const TABLE = useScenarioTable('LLM serving through the real Kueue');
const ENV = 'staging';

interface ServedPod {
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec: { readonly nodeName?: string; readonly nodeSelector?: Readonly<Record<string, string>>; readonly tolerations?: readonly { readonly key?: string; readonly effect?: string }[]; readonly schedulingGates?: readonly { readonly name: string }[] };
  readonly status: { readonly phase?: string };
}

const podsOf = async (api: KubeApi, ns: string, service: string): Promise<ServedPod[]> =>
  (await api.json<{ items: ServedPod[] }>('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(`app.kubernetes.io/name=${service}`)}`)).items;

const workloadsOwnedBy = async (api: KubeApi, ns: string, kind: string, names: readonly string[]): Promise<Workload[]> =>
  (await api.json<{ items: Workload[] }>('GET', `/apis/kueue.x-k8s.io/v1beta2/namespaces/${ns}/workloads`)).items.filter((w) => w.metadata.ownerReferences?.some((r) => r.kind === kind && names.includes(r.name)) === true);

/** group/kind/name of the Workload's priority class, or 'none'. */
const priorityRef = (w: Workload): string => (w.spec.priorityClassRef === undefined ? 'none' : `${w.spec.priorityClassRef.group}/${w.spec.priorityClassRef.kind}/${w.spec.priorityClassRef.name}`);

async function create(api: KubeApi, path: string, body: Record<string, unknown>): Promise<void> {
  const res = await api.request('POST', path, body);
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${res.body}`);
}

const deploymentsPath = (ns: string): string => `/apis/apps/v1/namespaces/${ns}/deployments`;
const lwsPath = (ns: string): string => `/apis/leaderworkerset.x-k8s.io/v1/namespaces/${ns}/leaderworkersets`;

/** Deletes the Deployments and waits until their pods and the pods' Workloads are gone (the file's clean-up only knows Jobs). */
async function deleteDeployments(api: KubeApi, ns: string, services: readonly string[]): Promise<void> {
  for (const s of services) await api.request('DELETE', `${deploymentsPath(ns)}/${deploymentName(s)}`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
  await poll(`${ns}: pods of ${services.join(', ')} gone`, async () => {
    const left = (await Promise.all(services.map((s) => podsOf(api, ns, s)))).flat();
    for (const p of left) await api.request('DELETE', `/api/v1/namespaces/${ns}/pods/${p.metadata.name}?gracePeriodSeconds=0`);
    return left.length === 0 ? true : undefined;
  }, 120000, 500);
  await poll(`${ns}: pod Workloads gone`, async () => {
    const list = await api.json<{ items: Workload[] }>('GET', `/apis/kueue.x-k8s.io/v1beta2/namespaces/${ns}/workloads`);
    return list.items.every((w) => !w.metadata.ownerReferences?.some((r) => r.kind === 'Pod')) ? true : undefined;
  }, 120000, 500);
}

/** Running pods of a service once `count` of them run. */
async function runningPods(api: KubeApi, ns: string, service: string, count: number, timeoutMs = 90000): Promise<ServedPod[]> {
  return poll(`${ns}/${service}: ${count} pods Running`, async () => {
    const running = (await podsOf(api, ns, service)).filter((p) => p.status.phase === 'Running');
    return running.length >= count ? running : undefined;
  }, timeoutMs, 250);
}

describe(`${ENV}: LLM services through the teams' serving queues`, () => {
  // The lws chart's CRDs before Kueue starts, so Kueue sets up its LeaderWorkerSet integration.
  const { e, cluster } = primaryCluster(ENV, suite, { crdsOf: ['lws'] });
  const plans = planLlmServices(e.spec, cluster);
  const single = plans.find((p) => p.nodesPerReplica === 1 && cluster.gpuPools.some((g) => g.name === p.pool && g.sharing === 'none'));
  const multi = plans.find((p) => p.nodesPerReplica > 1);
  if (single === undefined || multi === undefined) throw new Error(`${ENV} promises a single-node and a multi-node LLM service on a whole-GPU pool of its primary`);
  const teamOf = (p: LlmServicePlan): TeamSpec => e.spec.teams.find((t) => t.name === p.team) as TeamSpec;
  const poolOf = (p: LlmServicePlan): GpuPoolSpec => cluster.gpuPools.find((g) => g.name === p.pool) as GpuPoolSpec;

  let rendered: readonly ManifestObject[] = [];
  beforeAll(() => {
    const out = renderEnvironment(e.spec).find((c) => c.cluster.name === cluster.name);
    if (out === undefined) throw new Error(`no output for ${cluster.name}`);
    rendered = out.files.flatMap((f) => f.objects);
  });
  const serviceObject = (p: LlmServicePlan): ManifestObject => {
    const o = rendered.find((x) => x.kind === 'LLMInferenceService' && x.metadata.namespace === p.namespace && x.metadata.name === p.name);
    if (o === undefined) throw new Error(`the platform renders no LLMInferenceService ${p.namespace}/${p.name}`);
    return o;
  };
  const presets = (): ManifestObject[] => rendered.filter((x) => x.kind === 'LLMInferenceServiceConfig');
  const priorityValue = (): number | undefined => (rendered.find((x) => x.kind === 'WorkloadPriorityClass' && x.metadata.name === SERVING_PRIORITY) as unknown as { value?: number } | undefined)?.value;
  const quotaOf = (ns: string): ManifestObject => {
    const q = rendered.find((x) => x.kind === 'ResourceQuota' && x.metadata.namespace === ns);
    if (q === undefined) throw new Error(`the platform renders no ResourceQuota in ${ns}`);
    return q;
  };
  const liveQuota = (api: KubeApi, ns: string): Promise<ResourceQuotaStatus> => api.json<ResourceQuotaStatus>('GET', `/api/v1/namespaces/${ns}/resourcequotas/${quotaOf(ns).metadata.name}`);

  test("Kueue manages Deployments (through their pods) and LeaderWorkerSets, in the teams' training and serving namespaces only", async () => {
    const sc = live(e);
    const frameworks = (sc.kueue.config.integrations as { frameworks?: string[] } | undefined)?.frameworks ?? [];
    const needed = ['deployment', 'pod', 'leaderworkerset.x-k8s.io/leaderworkerset'];
    const selector = sc.kueue.config.managedJobsNamespaceSelector as { matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined;
    // The namespaces that selector picks among those on the cluster (Exists / In only, what the platform writes).
    const namespaces = await sc.api.json<{ items: { metadata: { name: string; labels?: Record<string, string> } }[] }>('GET', '/api/v1/namespaces');
    const matches = (labels: Record<string, string>): boolean =>
      (selector?.matchExpressions ?? []).every((m) => (m.operator === 'Exists' ? m.key in labels : m.operator === 'In' ? (m.values ?? []).includes(labels[m.key] ?? '') : false));
    const managed = namespaces.items.filter((n) => matches(n.metadata.labels ?? {})).map((n) => n.metadata.name).sort();
    const observed = { integrations: needed.filter((f) => frameworks.includes(f)), manageJobsWithoutQueueName: sc.kueue.config.manageJobsWithoutQueueName, managedNamespaces: managed };
    const expected = { integrations: needed, manageJobsWithoutQueueName: true, managedNamespaces: e.spec.teams.flatMap((t) => clusterStages(e.spec, cluster).filter((s) => QUEUED_STAGES.includes(s)).map((s) => workflowNamespaceName(t.name, s))).sort() };
    TABLE.record(ENV, `integrations ${needed.join(', ')}; pods managed in the namespaces with ${LABEL.team} and ${LABEL.stage} in (${QUEUED_STAGES.join(', ')})`, expected, observed);
    expect(observed).toEqual(expected);
    await waitActive(sc.api, e.spec.teams.map((t) => t.name));
  });

  test(`the single-node service's Deployment is admitted pod by pod through the team's serving queue at ${SERVING_PRIORITY}, on the pool's flavor and nodes, counted in the pool's unit`, async () => {
    const sc = live(e);
    const p = single;
    const pool = poolOf(p);
    const svc = serviceObject(p);
    const t0 = Date.now();
    await create(sc.api, deploymentsPath(p.namespace), kserveDeployment(svc, presets()));
    try {
      const pods = await runningPods(sc.api, p.namespace, p.name, p.replicas);
      const seconds = (Date.now() - t0) / 1000;
      const workloads = await workloadsOwnedBy(sc.api, p.namespace, 'Pod', pods.map((x) => x.metadata.name));
      const admissions = [...new Set(workloads.map((w) => JSON.stringify({ queue: w.spec.queueName, clusterQueue: w.status?.admission?.clusterQueue, priorityClass: priorityRef(w), priority: w.spec.priority, gpuFlavor: w.status?.admission?.podSetAssignments[0]?.flavors?.[p.gpuResource], admitted: isTrue(w, 'Admitted') })))].map((s) => JSON.parse(s) as unknown);
      const poolNodes = new Set(sc.gpuNodes.filter((n) => n.pool === pool.name).map((n) => n.name));
      const quota = await liveQuota(sc.api, p.namespace);
      const observed = {
        runningPods: pods.length,
        workloads: workloads.length,
        admissions,
        nodeSelectors: [...new Set(pods.map((x) => JSON.stringify(x.spec.nodeSelector ?? {})))].map((s) => JSON.parse(s) as unknown),
        tolerateGpuTaint: pods.every((x) => x.spec.tolerations?.some((t) => t.key === GPU_TAINT.key && t.effect === GPU_TAINT.effect) === true),
        onPoolNodes: pods.every((x) => poolNodes.has(x.spec.nodeName ?? '')),
        clusterQueueUsage: await usageOnceSettled(sc.api, p.team, `${pool.name}/${p.gpuResource}`, String(p.replicas * p.gpusPerReplica)),
        servingQuotaUsed: quota.status?.used?.[`requests.${p.gpuResource}`],
      };
      const expected = {
        runningPods: p.replicas,
        workloads: p.replicas,
        admissions: [{ queue: LOCAL_QUEUE, clusterQueue: p.team, priorityClass: `kueue.x-k8s.io/WorkloadPriorityClass/${SERVING_PRIORITY}`, priority: priorityValue(), gpuFlavor: pool.name, admitted: true }],
        nodeSelectors: [poolSelectorLabels(cluster.provider, pool)],
        tolerateGpuTaint: true,
        onPoolNodes: true,
        clusterQueueUsage: String(p.replicas * p.gpusPerReplica),
        servingQuotaUsed: String(p.replicas * p.gpusPerReplica),
      };
      TABLE.record(ENV, `${p.team}/${p.name}: Deployment ${deploymentName(p.name)}, replicas = minReplicas ${p.replicas}, ${p.gpusPerReplica} ${p.gpuResource} each, on ${pool.name}`, expected, observed, seconds);
      expect(observed).toEqual(expected);
    } finally {
      await deleteDeployments(sc.api, p.namespace, [p.name]);
    }
  });

  test("a second service beyond the team's serving quota waits: its replicas past the namespace quota are not created, the first service keeps running", async () => {
    const sc = live(e);
    const p = single;
    const pool = poolOf(p);
    const svc = serviceObject(p);
    const extra = `${p.name}-extra`;
    await create(sc.api, deploymentsPath(p.namespace), kserveDeployment(svc, presets()));
    try {
      await runningPods(sc.api, p.namespace, p.name, p.replicas);
      // What the namespace quota leaves for pods shaped like the service's, and which resources bind.
      const dep = kserveDeployment(svc, presets(), { name: extra, replicas: 1 }) as { spec: { template: { spec: { containers: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[] } } } };
      const quota = await poll('serving quota status', async () => {
        const q = await liveQuota(sc.api, p.namespace);
        return q.status?.used?.[`requests.${p.gpuResource}`] === String(p.replicas * p.gpusPerReplica) ? q : undefined;
      }, 30000, 250);
      const fit = fitsIn(quota, dep.spec.template.spec.containers);
      const replicas = fit.pods + 1;
      const t0 = Date.now();
      await create(sc.api, deploymentsPath(p.namespace), kserveDeployment(svc, presets(), { name: extra, replicas }));
      const running = fit.pods > 0 ? await runningPods(sc.api, p.namespace, extra, fit.pods) : [];
      const seconds = (Date.now() - t0) / 1000;
      const failure = await poll(`${extra}: ReplicaFailure`, async () => {
        const sets = await sc.api.json<{ items: { status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] } }[] }>('GET', `/apis/apps/v1/namespaces/${p.namespace}/replicasets?labelSelector=${encodeURIComponent(`app.kubernetes.io/name=${extra}`)}`);
        return sets.items.flatMap((s) => s.status?.conditions ?? []).find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
      }, 60000, 500);
      // The quota admission's message: "exceeded quota: <name>, requested: k=v,..., used: k=v,..., limited: k=v,...".
      const exceeded = (/limited: (\S+)/.exec(failure.message ?? '')?.[1] ?? '').split(',').filter((kv) => kv !== '').map((kv) => kv.split('=')[0]).sort();
      const firstRunning = (await podsOf(sc.api, p.namespace, p.name)).filter((x) => x.status.phase === 'Running').length;
      const observed = {
        extraRunning: running.length,
        extraNotCreated: replicas - (await podsOf(sc.api, p.namespace, extra)).length,
        reason: `${failure.reason ?? '?'}${/exceeded quota/.test(failure.message ?? '') ? ' (exceeded quota)' : ''}`,
        bindingResources: exceeded,
        firstServiceRunning: firstRunning,
        clusterQueueUsage: await usageOnceSettled(sc.api, p.team, `${pool.name}/${p.gpuResource}`, String((p.replicas + fit.pods) * p.gpusPerReplica)),
      };
      const expected = { extraRunning: fit.pods, extraNotCreated: 1, reason: 'FailedCreate (exceeded quota)', bindingResources: fit.binding, firstServiceRunning: p.replicas, clusterQueueUsage: String((p.replicas + fit.pods) * p.gpusPerReplica) };
      TABLE.record(ENV, `${p.team}: ${extra} with ${replicas} replicas while ${p.name} runs ${p.replicas}; ${quotaOf(p.namespace).metadata.name} leaves room for ${fit.pods} (binding: ${fit.binding.join(', ')}): "${failure.message ?? ''}"`, expected, observed, seconds);
      expect(observed).toEqual(expected);
    } finally {
      await deleteDeployments(sc.api, p.namespace, [p.name, extra]);
    }
  });

  test(`the service's pods at ${SERVING_PRIORITY} preempt the team's training when its queue is full`, async () => {
    const sc = live(e);
    const p = single;
    const pool = poolOf(p);
    const team = teamOf(p);
    const trainNs = workflowNamespaceName(team.name, 'training');
    const ceiling = maxOf(e.spec, team, pool);
    // Training fills the team's ceiling on the pool in Jobs of one node's GPUs (the last one smaller).
    const sizes = Array.from({ length: Math.ceil(ceiling / pool.gpusPerNode) }, (_, i) => Math.min(pool.gpusPerNode, ceiling - i * pool.gpusPerNode));
    for (const [i, size] of sizes.entries()) await submitAdmitted(e, { name: `fill-${i}`, namespace: trainNs, queue: LOCAL_QUEUE, priorityClass: 'training', gpus: { [p.gpuResource]: String(size) }, nodeSelector: poolSelectorLabels(cluster.provider, pool) });
    await usageOnceSettled(sc.api, team.name, `${pool.name}/${p.gpuResource}`, String(ceiling));
    const need = p.replicas * p.gpusPerReplica;
    if (need > Math.min(...sizes)) throw new Error(`${p.name} needs ${need} ${p.gpuResource}, more than the smallest training Job (${Math.min(...sizes)}): pick other sizes`);
    const t0 = Date.now();
    await create(sc.api, deploymentsPath(p.namespace), kserveDeployment(serviceObject(p), presets()));
    try {
      const pods = await runningPods(sc.api, p.namespace, p.name, p.replicas, 120000);
      const seconds = (Date.now() - t0) / 1000;
      const states = await Promise.all(sizes.map(async (_, i) => stateOf((await workloadsOwnedBy(sc.api, trainNs, 'Job', [`fill-${i}`]))[0])));
      // Every training Job is at least as large as what the service needs: one of them is enough to yield.
      const yielded = sizes.filter((_, i) => !states[i].startsWith('admitted'));
      const observed = { servicePodsRunning: pods.length, trainingJobsYielded: yielded.length, reasons: [...new Set(states.filter((s) => !s.startsWith('admitted')))] };
      const expected = { servicePodsRunning: p.replicas, trainingJobsYielded: 1, reasons: ['evicted (Preempted)'] };
      TABLE.record(ENV, `${team.name}'s queue full of training (${sizes.join(' + ')} = ${ceiling} on ${pool.name}), then ${p.name} asks for ${need}: training Jobs that yield ${yielded.length}`, expected, observed, seconds);
      expect(observed).toEqual(expected);
    } finally {
      await deleteDeployments(sc.api, p.namespace, [p.name]);
    }
  });

  test("the multi-node service's LeaderWorkerSet is admitted group by group, all or nothing: a group that only partly fits waits whole", async () => {
    const sc = live(e);
    const p = multi;
    const pool = poolOf(p);
    const team = teamOf(p);
    const svc = serviceObject(p);
    const lws = leaderWorkerSetName(p.name);
    const size = groupSize(svc);
    const groupGpus = size * p.gpusPerReplica;
    const workloads = (): Promise<Workload[]> => workloadsOwnedBy(sc.api, p.namespace, 'LeaderWorkerSet', [lws]);
    const podSets = (w: Workload | undefined): Record<string, string> => Object.fromEntries((w?.status?.admission?.podSetAssignments ?? []).map((a) => [a.name, `${a.count ?? '?'} x ${a.flavors?.[p.gpuResource] ?? '?'}`]));
    const t0 = Date.now();
    await create(sc.api, lwsPath(p.namespace), kserveLeaderWorkerSet(svc, presets()));
    try {
      const admitted = await poll(`${lws}: ${p.replicas} group(s) admitted`, async () => {
        const ws = await workloads();
        return ws.filter((w) => isTrue(w, 'Admitted')).length >= p.replicas ? ws : undefined;
      }, 90000, 250);
      const seconds = (Date.now() - t0) / 1000;
      const observed = {
        groups: admitted.length,
        podSets: [...new Set(admitted.map((w) => JSON.stringify(podSets(w))))].map((s) => JSON.parse(s) as unknown),
        priorityClass: [...new Set(admitted.map(priorityRef))],
        clusterQueue: [...new Set(admitted.map((w) => w.status?.admission?.clusterQueue))],
        usage: await usageOnceSettled(sc.api, team.name, `${pool.name}/${p.gpuResource}`, String(p.replicas * groupGpus)),
      };
      const expected = { groups: p.replicas, podSets: [{ leader: `1 x ${pool.name}`, worker: `${size - 1} x ${pool.name}` }], priorityClass: [`kueue.x-k8s.io/WorkloadPriorityClass/${SERVING_PRIORITY}`], clusterQueue: [team.name], usage: String(p.replicas * groupGpus) };
      TABLE.record(ENV, `${team.name}/${p.name}: LeaderWorkerSet ${lws}, ${p.replicas} group(s) of ${size} pods x ${p.gpusPerReplica} ${p.gpuResource}`, expected, observed, seconds);
      expect(observed).toEqual(expected);

      // Scaled until one group straddles the team's ceiling on the pool (beyond the spec's maxReplicas where needed: the point is the ceiling).
      const ceiling = maxOf(e.spec, team, pool);
      const fit = Math.floor(ceiling / groupGpus);
      const left = ceiling - fit * groupGpus;
      const scaled = fit + 1;
      const res = await sc.api.request('PATCH', `${lwsPath(p.namespace)}/${lws}`, { spec: { replicas: scaled } }, 'application/merge-patch+json');
      if (res.status !== 200) throw new Error(`scaling ${lws}: ${res.status} ${res.body}`);
      const t1 = Date.now();
      const all = await poll(`${lws}: ${scaled} Workloads, ${fit} admitted`, async () => {
        const ws = await workloads();
        return ws.length >= scaled && ws.filter((w) => isTrue(w, 'Admitted')).length >= fit ? ws : undefined;
      }, 90000, 250);
      const scaledSeconds = (Date.now() - t1) / 1000;
      // A moment more: the group left waiting must stay so.
      await new Promise((r) => setTimeout(r, 4000));
      const after = await workloads();
      const waiting = after.filter((w) => !isTrue(w, 'Admitted'));
      const observedScaled = {
        admittedGroups: after.length - waiting.length,
        waitingGroups: waiting.map((w) => ({ state: stateOf(w).startsWith('pending') ? 'pending' : stateOf(w), podSetsAdmitted: podSets(w) })),
        usage: await usageOnceSettled(sc.api, team.name, `${pool.name}/${p.gpuResource}`, String(fit * groupGpus)),
      };
      const expectedScaled = { admittedGroups: fit, waitingGroups: [{ state: 'pending', podSetsAdmitted: {} }], usage: String(fit * groupGpus) };
      TABLE.record(ENV, `${lws} scaled to ${scaled} groups (${groupGpus} ${p.gpuResource} each) against ${team.name}'s ceiling ${ceiling} on ${pool.name}: ${left} left, ${left >= p.gpusPerReplica ? 'enough for the leader alone' : 'less than one pod'}`, expectedScaled, observedScaled, scaledSeconds);
      expect(all.length).toBeGreaterThanOrEqual(scaled);
      expect(observedScaled).toEqual(expectedScaled);
    } finally {
      await sc.api.request('DELETE', `${lwsPath(p.namespace)}/${lws}`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
      await poll(`${lws}: Workloads gone`, async () => ((await workloads()).length === 0 ? true : undefined), 120000, 500);
    }
  });
});
