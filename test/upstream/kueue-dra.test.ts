/**
 * GPUs by Dynamic Resource Allocation, proven by the real thing: prod's primary cluster on a test
 * control plane (kube-apiserver, controller-manager with the ResourceClaim controller, kube-scheduler
 * with DRA, all v1.35.4), the real Kueue v0.19.2 with the platform's manager Configuration
 * (deviceClassMappings included), kwok nodes for the DRA pool and ResourceSlices published for them
 * as the NVIDIA DRA driver would. Each scenario is recorded as expected vs observed:
 *   - the platform's DeviceClass (CEL compiled by the API server), claim templates and ResourceQuota
 *     lines are accepted, and Kueue runs with the pool's mapping;
 *   - a team's Job with a claim from its template is admitted on the pool's flavor and the scheduler
 *     allocates it a device of the pool, on the pool's node;
 *   - a claim no published device satisfies stays pending with the scheduler's reason;
 *   - claims beyond the team's quota wait in its queue until quota frees up;
 *   - claims outside the queues (a stage without GPU budget, the driver's catch-all class) are
 *     refused by the namespace ResourceQuota.
 * Run: `npm run test:upstream -- kueue-dra` (about 3 minutes on 2 cores).
 */
import { DRIVER_DEVICE_CLASSES, draClaimTemplateName, draDeviceClassName, draQuotaResource, NVIDIA_DRA_DRIVER, planDra } from '../../constructs/gpu/dra-allocation';
import { CLAIM_REQUEST } from '../../constructs/gpu/dra-device-classes';
import { GPU_TOLERATION } from '../../constructs/gpu/gpu-scheduling';
import { poolSelectorLabels } from '../../constructs/gpu/gpu-node-pool';
import { LOCAL_QUEUE } from '../../constructs/queues/queue-plan';
import { workflowNamespaceName } from '../../constructs/tenancy/platform-namespaces';
import { clusterStages, GpuPoolSpec, loadEnvironment, TeamSpec } from '../../environments';
import { RenderContext } from '../../stacks/upstream/addon-render';
import { defaultRenderContext } from '../../stacks/upstream/render-context';
import { poll, RESTRICTED_SECURITY_CONTEXT } from '../cluster/platform-helpers';
import { ensureTools, Tools } from '../tools/build';
import { condition, createJob, deleteJob, isTrue, jobManifest, podsOfJob, usageOnceSettled, waitForWorkload, workloadOfJob } from './kueue/jobs';
import { publishSlices } from './kueue/resource-slices';
import { ScenarioTable } from './kueue/results';
import { ScenarioCluster, startScenarioCluster, waitActive } from './kueue/scenario-cluster';

const TABLE = new ScenarioTable();
const ENV = 'prod';
const spec = loadEnvironment(ENV);
const cluster = spec.clusters.find((c) => c.role === 'primary' && c.gpuPools.some((p) => p.enabled && p.gpuAllocation === 'dra'));
if (cluster === undefined) throw new Error(`${ENV} has no primary cluster with a DRA pool: the platform promises one`);
const pool = cluster.gpuPools.find((p) => p.enabled && p.gpuAllocation === 'dra') as GpuPoolSpec;
const plan = planDra(spec, cluster, clusterStages(spec, cluster)).find((p) => p.pool === pool.name);
const team = spec.teams.find((t) => (t.poolQuotas[pool.name] ?? 0) > 0) as TeamSpec;
const trainingNs = workflowNamespaceName(team.name, 'training');
const resource = draQuotaResource(pool);
const image = `${cluster.registry.endpoint}/trainer:1.0.0${spec.images.requireDigest ? `@sha256:${'0123456789abcdef'.repeat(4)}` : ''}`;

let tools: Tools;
let ctx: RenderContext;
let sc: ScenarioCluster | undefined;
let poolNodes: string[] = [];

const live = (): ScenarioCluster => {
  if (sc === undefined) throw new Error('the cluster did not come up');
  return sc;
};

beforeAll(async () => {
  tools = await ensureTools();
  process.env.HELM ??= tools.helm;
  ctx = defaultRenderContext();
  if (ctx.charts.kind !== 'directory') throw new Error('the DRA suite renders the Kueue chart from a repository on disk: ../shared/charts beside the clone, or HML_CHART_REPOSITORY=<directory>');
  sc = await startScenarioCluster(spec, cluster, { ctx, kueueBinary: tools.kueue });
  poolNodes = sc.gpuNodes.filter((n) => n.pool === pool.name).map((n) => n.name);
  await publishSlices(sc.api, pool, poolNodes);
}, 20 * 60 * 1000);

afterAll(async () => {
  if (TABLE.results.length > 0) {
    const passed = TABLE.results.filter((r) => r.ok).length;
    process.stdout.write(`\nDRA with the real scheduler and the real Kueue (${passed}/${TABLE.results.length} as expected):\n${TABLE.markdown()}\n`);
  }
  await sc?.stop();
});

/** A Job whose pods each name one claim from the pool's template (as a team writes it: no node selector, no toleration). */
function draJob(name: string, parallelism: number): Record<string, unknown> {
  const job = jobManifest({ name, namespace: trainingNs, image, queue: LOCAL_QUEUE, parallelism });
  const podSpec = (job.spec as { template: { spec: { containers: { resources: Record<string, unknown> }[]; resourceClaims?: unknown[] } } }).template.spec;
  podSpec.resourceClaims = [{ name: CLAIM_REQUEST, resourceClaimTemplateName: draClaimTemplateName(pool) }];
  podSpec.containers[0].resources.claims = [{ name: CLAIM_REQUEST }];
  return job;
}

interface Allocation {
  readonly driver: string;
  readonly pool: string;
  readonly device: string;
}

/** The devices allocated to a pod's claims (status.resourceClaimStatuses -> ResourceClaim allocation). */
async function allocationsOf(namespace: string, pod: string): Promise<Allocation[]> {
  const p = await live().api.json<{ status: { resourceClaimStatuses?: { name: string; resourceClaimName?: string }[] } }>('GET', `/api/v1/namespaces/${namespace}/pods/${pod}`);
  const out: Allocation[] = [];
  for (const s of p.status.resourceClaimStatuses ?? []) {
    if (s.resourceClaimName === undefined) continue;
    const claim = await live().api.json<{ status?: { allocation?: { devices?: { results?: Allocation[] } } } }>('GET', `/apis/resource.k8s.io/v1/namespaces/${namespace}/resourceclaims/${s.resourceClaimName}`);
    for (const r of claim.status?.allocation?.devices?.results ?? []) out.push({ driver: r.driver, pool: r.pool, device: r.device });
  }
  return out;
}

async function runningPods(namespace: string, job: string, count: number): Promise<{ name: string; node: string }[]> {
  return poll(`${namespace}/${job}: ${count} pods Running`, async () => {
    const pods = (await podsOfJob(live().api, namespace, job)).filter((p) => p.status.phase === 'Running');
    return pods.length >= count ? pods.map((p) => ({ name: p.metadata.name, node: p.spec.nodeName ?? '' })) : undefined;
  }, 90000, 250);
}

test("the platform's DRA objects are accepted by the real API server and Kueue runs with the pool's device class mapping", async () => {
  expect(plan).toBeDefined();
  const { api, kueue } = live();
  const dc = await api.json<{ spec: { selectors: { cel: { expression: string } }[] } }>('GET', `/apis/resource.k8s.io/v1/deviceclasses/${draDeviceClassName(pool)}`);
  const templates = await Promise.all((plan?.namespaces ?? []).map(async (ns) => (await api.request('GET', `/apis/resource.k8s.io/v1/namespaces/${ns.name}/resourceclaimtemplates/${draClaimTemplateName(pool)}`)).status));
  const mappings = ((kueue.config.resources as { deviceClassMappings?: { name: string; deviceClassNames: string[] }[] } | undefined)?.deviceClassMappings ?? []).map((m) => ({ name: m.name, deviceClassNames: m.deviceClassNames }));
  const active = await waitActive(api, spec.teams.map((t) => t.name));
  const observed = {
    deviceClassSelector: dc.spec.selectors[0]?.cel.expression === plan?.selector,
    claimTemplates: templates.filter((s) => s === 200).length,
    kueueMapping: mappings,
    activeTeamQueues: spec.teams.filter((t) => active.includes(t.name)).length,
  };
  const expected = { deviceClassSelector: true, claimTemplates: plan?.namespaces.length ?? -1, kueueMapping: [{ name: resource, deviceClassNames: [draDeviceClassName(pool)] }], activeTeamQueues: spec.teams.length };
  expect(plan?.namespaces.length ?? 0).toBeGreaterThan(0);
  const ok = TABLE.record(ENV, 'DeviceClass, claim templates and the Kueue mapping accepted', expected, observed);
  expect(observed).toEqual(expected);
  expect(ok).toBe(true);
});

test("a team's Job with a claim from its template is admitted on the pool's flavor and the real scheduler allocates a device of the pool", async () => {
  const { api } = live();
  const t = Date.now();
  const res = await createJob(api, draJob('dra-one', 1));
  expect(res).toEqual({ status: 201, message: 'created' });
  const w = await waitForWorkload(api, trainingNs, 'dra-one', 'Admitted', (x) => isTrue(x, 'Admitted'), 90000);
  const seconds = (Date.now() - t) / 1000;
  const [pod] = await runningPods(trainingNs, 'dra-one', 1);
  const allocations = await allocationsOf(trainingNs, pod.name);
  const observed = {
    flavor: w.status?.admission?.podSetAssignments[0]?.flavors?.[resource],
    usage: w.status?.admission?.podSetAssignments[0]?.resourceUsage?.[resource],
    nodeOfPool: poolNodes.includes(pod.node),
    allocations: allocations.map((a) => ({ driver: a.driver, poolIsTheNode: a.pool === pod.node, device: /^gpu-\d+$/.test(a.device) })),
  };
  const expected = { flavor: pool.name, usage: '1', nodeOfPool: true, allocations: [{ driver: NVIDIA_DRA_DRIVER, poolIsTheNode: true, device: true }] };
  const ok = TABLE.record(ENV, `claim from template ${draClaimTemplateName(pool)} -> flavor, node and device of pool ${pool.name}`, expected, observed, seconds);
  expect(observed).toEqual(expected);
  expect(ok).toBe(true);
  await deleteJob(api, trainingNs, 'dra-one');
  await poll('dra-one gone', async () => ((await workloadOfJob(api, trainingNs, 'dra-one')) === undefined ? true : undefined), 60000, 250);
});

test("a claim no published device satisfies stays pending with the scheduler's reason", async () => {
  const { api } = live();
  // Outside the team namespaces (Kueue gates those): the scheduler decides alone.
  const ns = 'dra-probe';
  expect((await api.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })).status).toBe(201);
  const claim = {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceClaim',
    metadata: { name: 'h200-wanted', namespace: ns },
    spec: { devices: { requests: [{ name: CLAIM_REQUEST, exactly: { deviceClassName: draDeviceClassName(pool), selectors: [{ cel: { expression: `device.attributes['${NVIDIA_DRA_DRIVER}'].productName == 'NVIDIA H200'` } }] } }] } },
  };
  expect((await api.request('POST', `/apis/resource.k8s.io/v1/namespaces/${ns}/resourceclaims`, claim)).status).toBe(201);
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'wants-h200', namespace: ns },
    spec: {
      automountServiceAccountToken: false,
      nodeSelector: poolSelectorLabels(cluster.provider, pool),
      tolerations: [{ ...GPU_TOLERATION }],
      resourceClaims: [{ name: CLAIM_REQUEST, resourceClaimName: 'h200-wanted' }],
      containers: [{ name: 'main', image, securityContext: RESTRICTED_SECURITY_CONTEXT, resources: { claims: [{ name: CLAIM_REQUEST }], requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '100m', memory: '128Mi' } } }],
    },
  };
  expect((await api.request('POST', `/api/v1/namespaces/${ns}/pods`, pod)).status).toBe(201);
  const cond = await poll('wants-h200 unschedulable', async () => {
    const p = await api.json<{ spec: { nodeName?: string }; status: { conditions?: { type: string; status: string; reason?: string; message?: string }[] } }>('GET', `/api/v1/namespaces/${ns}/pods/wants-h200`);
    const c = p.status.conditions?.find((x) => x.type === 'PodScheduled');
    return c?.status === 'False' && c.reason === 'Unschedulable' ? { c, nodeName: p.spec.nodeName } : undefined;
  }, 60000, 250);
  const message = cond.c.message ?? '';
  const observed = { scheduled: cond.nodeName !== undefined, reason: cond.c.reason, mentionsClaims: /cannot allocate all claims/.test(message) };
  const expected = { scheduled: false, reason: 'Unschedulable', mentionsClaims: true };
  const ok = TABLE.record(ENV, `claim for an H200 on pool ${pool.name} (H100 devices only): "${message}"`, expected, observed);
  expect(observed).toEqual(expected);
  expect(ok).toBe(true);
});

test("claims beyond the team's quota on the pool wait in its queue, and are admitted once quota frees up", async () => {
  const { api } = live();
  const nominal = team.poolQuotas[pool.name] ?? 0;
  const lendable = spec.teams.filter((o) => o !== team).reduce((n, o) => n + Math.floor(((o.poolQuotas[pool.name] ?? 0) * o.queueing.lendingLimitPercent) / 100), 0);
  const ceiling = nominal + Math.min(Math.floor((nominal * team.queueing.borrowingLimitPercent) / 100), lendable);
  expect(ceiling).toBeLessThanOrEqual(pool.gpusPerNode * pool.maxNodes);

  expect((await createJob(api, draJob('dra-fill', nominal))).status).toBe(201);
  await waitForWorkload(api, trainingNs, 'dra-fill', 'Admitted', (x) => isTrue(x, 'Admitted'), 90000);
  const pods = await runningPods(trainingNs, 'dra-fill', nominal);
  const devices = new Set((await Promise.all(pods.map((p) => allocationsOf(trainingNs, p.name)))).flat().map((a) => `${a.pool}/${a.device}`));
  const used = await usageOnceSettled(api, team.name, `${pool.name}/${resource}`, String(nominal));

  const beyond = ceiling - nominal + 1;
  expect((await createJob(api, draJob('dra-beyond', beyond))).status).toBe(201);
  const waiting = await waitForWorkload(api, trainingNs, 'dra-beyond', 'QuotaReserved False', (x) => condition(x, 'QuotaReserved')?.status === 'False' && (condition(x, 'QuotaReserved')?.message ?? '') !== '', 60000);
  await new Promise((r) => setTimeout(r, 3000));
  const still = await workloadOfJob(api, trainingNs, 'dra-beyond');
  const message = condition(waiting, 'QuotaReserved')?.message ?? '';

  await deleteJob(api, trainingNs, 'dra-fill');
  const t = Date.now();
  await waitForWorkload(api, trainingNs, 'dra-beyond', 'Admitted', (x) => isTrue(x, 'Admitted'), 90000);
  const seconds = (Date.now() - t) / 1000;

  const observed = { distinctDevices: devices.size, usage: used, beyondAdmitted: isTrue(still, 'Admitted'), quotaMessage: message.includes(resource), admittedAfterRelease: true };
  const expected = { distinctDevices: nominal, usage: String(nominal), beyondAdmitted: false, quotaMessage: true, admittedAfterRelease: true };
  const ok = TABLE.record(ENV, `${team.name}: ${nominal} claims admitted, ${beyond} more (ceiling ${ceiling}) wait: "${message}"`, expected, observed, seconds);
  expect(observed).toEqual(expected);
  expect(ok).toBe(true);
  await deleteJob(api, trainingNs, 'dra-beyond');
});

test('claims around the queues are refused by the namespace ResourceQuota: a stage without GPU budget, the driver catch-all classes', async () => {
  const { api } = live();
  const claim = (namespace: string, name: string, deviceClassName: string): Record<string, unknown> => ({
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceClaim',
    metadata: { name, namespace },
    spec: { devices: { requests: [{ name: CLAIM_REQUEST, exactly: { deviceClassName } }] } },
  });
  const dataPrep = workflowNamespaceName(team.name, 'data-prep');
  const attempts = [
    { ns: dataPrep, name: 'pool-in-data-prep', cls: draDeviceClassName(pool) },
    ...DRIVER_DEVICE_CLASSES.map((cls) => ({ ns: trainingNs, name: `catch-all-${cls.split('.')[0]}`, cls })),
  ];
  const observed: Record<string, string> = {};
  for (const a of attempts) {
    const res = await api.request('POST', `/apis/resource.k8s.io/v1/namespaces/${a.ns}/resourceclaims`, claim(a.ns, a.name, a.cls));
    observed[`${a.ns}/${a.cls}`] = res.status === 403 && /exceeded quota/.test(res.body) ? 'refused (exceeded quota)' : `HTTP ${res.status}`;
  }
  const expected = Object.fromEntries(attempts.map((a) => [`${a.ns}/${a.cls}`, 'refused (exceeded quota)']));
  const ok = TABLE.record(ENV, 'claims outside the pools and queues', expected, observed);
  expect(observed).toEqual(expected);
  expect(ok).toBe(true);
});
