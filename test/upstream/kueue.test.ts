/**
 * GPU fairness proven by the real Kueue (v0.19.2 built from its Go module) on real control planes.
 *
 * Per environment, its primary cluster: a test control plane with the platform's objects, Kueue
 * installed from the platform's chart rendering and run as a process with the platform's manager
 * Configuration (only LOOPBACK_FIELDS differ), kwok GPU nodes as the GPU Operator and NFD present
 * them, sized from the spec. Then the scenarios of issue 12, each recorded as expected vs observed
 * and printed as one table at the end:
 *   - primaries with several teams: borrowing ceilings, reclaim, fair-share weights, MIG slices,
 *     waitForPodsReady (staging, the platform's 10-minute timeout: started first, checked last,
 *     so the other scenarios run during the wait);
 *   - every primary: admission on the pool flavor and placement, CPU-only work, pool units, no
 *     bypass without a queue name, priorities.
 * MultiKueue (burst clusters as separate control planes, worker lost) is kueue-multikueue.test.ts,
 * run beside this file by jest's second worker.
 * Run: `npm run test:upstream -- kueue` (both files; about 11 minutes on 2 cores, the pods-ready
 * timeout being the floor).
 */
import * as YAML from 'yaml';
import { poolSelectorLabels } from '../../constructs/gpu/gpu-node-pool';
import { migSlicesPerGpu } from '../../environments/gpu-models';
import { GPU_TAINT, GPU_TOLERATION, poolResourceName } from '../../constructs/gpu/gpu-scheduling';
import { kueueConfigOptions, kueueManagerConfig } from '../../constructs/queues/kueue-config';
import { workflowNamespaceName } from '../../constructs/tenancy/platform-namespaces';
import { CPU_FLAVOR, LOCAL_QUEUE, planQueues } from '../../constructs/queues/queue-plan';
import { clusterStages, GpuPoolSpec, TeamSpec } from '../../environments';
import { createPod, podManifest, poll } from '../cluster/platform-helpers';
import { condition, createJob, createJobSet, deleteJob, deleteJobSet, getJob, getJobSet, isTrue, jobManifest, jobSetManifest, podsOfJob, QUEUE_LABEL, waitForWorkload, usageOnceSettled, Workload, workloadOfJob, workloadOfOwner } from './kueue/jobs';
import { configDifferences, goDurationSeconds, LOOPBACK_FIELDS } from './kueue/kueue-process';
import { Later } from './kueue/later';
import { lendableOf, maxOf, nominalOf } from './kueue/quota';
import { useScenarioTable } from './kueue/results';
import { waitActive } from './kueue/scenario-cluster';
import { cleanUp, live, primaryCluster, runningNodes, stateOf, stopKeptClustersAtFileEnd, submitAdmitted, testImage as image, useSuiteTools } from './kueue/scenario-env';

const suite = useSuiteTools();
const TABLE = useScenarioTable('The real Kueue');
stopKeptClustersAtFileEnd();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Outcome of the waitForPodsReady scenario, observed while the other tests run. */
interface PodsReadyOutcome {
  readonly scenario: string;
  readonly expected: Record<string, unknown>;
  readonly observed: Record<string, unknown>;
}
/** Started by staging's cohort block, checked by the last test of the file. */
let podsReady: Later<PodsReadyOutcome> | undefined;

/**
 * Borrowing and reclaim on the first whole-GPU pool of a primary with several teams. The borrower
 * is the team that can borrow most (within its namespace's ResourceQuota), the lender the team
 * with the largest nominal quota among the others. Jobs are pinned to the pool with its node
 * selector (Kueue then considers no other flavor), and sized so that the limits fall on job
 * boundaries.
 */
describe.each(['staging', 'prod'])('%s: borrowing and reclaim in the cohort with the real Kueue', (envName) => {
  // Staging's cluster outlives the block: its pods-ready scenario is checked at the end of the file.
  // Trainer's CRDs (TrainJob, JobSet) before Kueue starts, so its JobSet integration is set up.
  const { e, cluster } = primaryCluster(envName, suite, { stopAfter: envName === 'staging' ? 'file' : 'describe', crdsOf: ['kubeflow-trainer'] });
  const pool = cluster.gpuPools.find((p) => p.enabled && p.sharing === 'none') as GpuPoolSpec;
  const nominal = (t: TeamSpec): number => nominalOf(t, pool);
  const lendable = (t: TeamSpec): number => lendableOf(t, pool);
  const max = (t: TeamSpec): number => maxOf(e.spec, t, pool);
  const rq = (t: TeamSpec): number => Number(t.quotas.training?.gpu ?? 0);
  const borrower = [...e.spec.teams].filter((t) => max(t) <= rq(t)).sort((a, b) => max(b) - nominal(b) - (max(a) - nominal(a)))[0];
  const lender = [...e.spec.teams].filter((t) => t !== borrower).sort((a, b) => nominal(b) - nominal(a))[0];
  const cohortNominal = e.spec.teams.reduce((n, t) => n + nominal(t), 0);
  const limit = max(borrower);
  const size = Math.min(pool.gpusPerNode, [nominal(borrower), limit, nominal(lender), lendable(lender), cohortNominal].reduce(gcd));
  const pin = { nodeSelector: poolSelectorLabels(cluster.provider, pool) };
  const bNs = workflowNamespaceName(borrower.name, 'training');
  const lNs = workflowNamespaceName(lender.name, 'training');

  // waitForPodsReady: a distributed Job (one pod per node) with one pod more than its MIG pool has
  // nodes, admitted by Kueue, can never get all pods running. Submitted first, observed in the
  // background, checked by the last test of the file: the platform's timeout is 10 minutes and
  // every other scenario of the file runs meanwhile (on other pools, other clusters).
  // Once (staging) is enough: each run costs the full timeout.
  const slowPool = envName === 'staging' ? cluster.gpuPools.find((p) => p.enabled && p.sharing === 'mig') : undefined;
  const slowTeam = e.spec.teams[e.spec.teams.length - 1];
  const slowNs = workflowNamespaceName(slowTeam.name, 'training');
  beforeAll(async () => {
    if (slowPool === undefined || e.sc === undefined) return;
    const sc = e.sc;
    e.keep.add(`${slowNs}/not-all-ready`);
    const { workload } = await submitAdmitted(e, { name: 'not-all-ready', namespace: slowNs, queue: LOCAL_QUEUE, gpus: { 'nvidia.com/gpu': '1' }, parallelism: slowPool.maxNodes + 1, onePodPerNode: true, nodeSelector: poolSelectorLabels(cluster.provider, slowPool) });
    const admittedAt = Date.parse(condition(workload, 'Admitted')?.lastTransitionTime ?? new Date().toISOString());
    // The timeout the process runs with: the platform's (the first test checks the two are the same).
    const timeout = (sc.kueue.config.waitForPodsReady as { timeout: string }).timeout;
    const timeoutSeconds = goDurationSeconds(timeout);
    podsReady = new Later('waitForPodsReady', async () => {
      let runningBefore = 0;
      const evicted = await poll('not-all-ready evicted for PodsReadyTimeout', async () => {
        const running = (await podsOfJob(sc.api, slowNs, 'not-all-ready')).filter((p) => p.status.phase === 'Running').length;
        const w = await workloadOfJob(sc.api, slowNs, 'not-all-ready');
        if (w !== undefined && (w.status?.conditions ?? []).some((c) => c.type === 'Evicted' && c.reason === 'PodsReadyTimeout')) return w;
        runningBefore = running;
        return undefined;
      }, (timeoutSeconds + 240) * 1000, 2000);
      const afterSeconds = Math.round((Date.parse(condition(evicted, 'Evicted')?.lastTransitionTime ?? '') - admittedAt) / 1000);
      const usage = await usageOnceSettled(sc.api, slowTeam.name, `${slowPool.name}/nvidia.com/gpu`, '0', 20000);
      const about = `about ${timeout}`;
      return {
        scenario: `${slowTeam.name}: ${slowPool.maxNodes + 1} pods one per node on ${slowPool.name} (${slowPool.maxNodes} node(s)); waitForPodsReady.timeout ${timeout}; evicted after ${afterSeconds}s`,
        expected: { runningBefore: slowPool.maxNodes, evictedAfter: about, usageAfterEviction: '0' },
        observed: { runningBefore, evictedAfter: afterSeconds >= timeoutSeconds && afterSeconds <= timeoutSeconds + 60 ? about : `${afterSeconds}s`, usageAfterEviction: usage },
      };
    });
  }, 5 * 60 * 1000);

  test("each team's ceiling on the pool is its nominal quota plus the lesser of its borrowing limit and what the others lend", async () => {
    const sc = live(e);
    await waitActive(sc.api, e.spec.teams.map((t) => t.name));
    const rows: { team: string; ceiling: number; used: string; beyond: string }[] = [];
    for (const t of e.spec.teams.filter((x) => max(x) <= rq(x))) {
      const ns = workflowNamespaceName(t.name, 'training');
      const step = Math.min(pool.gpusPerNode, gcd(nominal(t), max(t)));
      for (let i = 0; i < max(t) / step; i++) await submitAdmitted(e, { name: `ceiling-${i}`, namespace: ns, queue: LOCAL_QUEUE, gpus: { 'nvidia.com/gpu': String(step) }, ...pin });
      const used = await usageOnceSettled(sc.api, t.name, `${pool.name}/nvidia.com/gpu`, String(max(t)));
      await createJob(sc.api, jobManifest({ name: 'ceiling-beyond', namespace: ns, image: image(e), queue: LOCAL_QUEUE, gpus: { 'nvidia.com/gpu': String(step) }, ...pin }));
      await sleep(4000);
      const beyond = stateOf(await workloadOfJob(sc.api, ns, 'ceiling-beyond'));
      const others = e.spec.teams.filter((o) => o !== t);
      const scenario = `${t.name}: nominal ${nominal(t)}, borrowing limit ${t.queueing.borrowingLimitPercent}% (${Math.floor((nominal(t) * t.queueing.borrowingLimitPercent) / 100)}), others lend ${others.map((o) => `${o.name} ${lendable(o)}`).join(' + ')}: fills ${pool.name}, then asks for ${step} more`;
      TABLE.record(envName, scenario, { used: String(max(t)), beyond: 'pending' }, { used, beyond: beyond.startsWith('pending') ? 'pending' : beyond });
      rows.push({ team: t.name, ceiling: max(t), used, beyond: beyond.startsWith('pending') ? 'pending' : beyond });
      await cleanUp(e);
    }
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => [r.team, r.used, r.beyond])).toEqual(rows.map((r) => [r.team, String(r.ceiling), 'pending']));
  });

  test(`a team borrows idle quota of the cohort up to its limits, waits beyond them, and gives it back when the lender needs it`, async () => {
    const sc = live(e);
    await waitActive(sc.api, e.spec.teams.map((t) => t.name));
    const count = limit / size;
    let slowest = 0;
    for (let i = 0; i < count; i++) {
      const { seconds } = await submitAdmitted(e, { name: `borrow-${i}`, namespace: bNs, queue: LOCAL_QUEUE, gpus: { 'nvidia.com/gpu': String(size) }, ...pin });
      slowest = Math.max(slowest, seconds);
    }
    const used = await usageOnceSettled(sc.api, borrower.name, `${pool.name}/nvidia.com/gpu`, String(limit));
    TABLE.record(envName, `${borrower.name} (nominal ${nominal(borrower)} on ${pool.name}, may borrow ${borrower.queueing.borrowingLimitPercent}%; the others lend ${e.spec.teams.filter((t) => t !== borrower).map((t) => `${t.name} ${lendable(t)}`).join(', ')}) submits ${count} x ${size} GPUs`, String(limit), used, slowest);
    expect(used).toBe(String(limit));

    const api = sc.api;
    await createJob(api, jobManifest({ name: 'borrow-beyond', namespace: bNs, image: image(e), queue: LOCAL_QUEUE, gpus: { 'nvidia.com/gpu': String(size) }, ...pin }));
    await sleep(5000);
    const beyond = await workloadOfJob(api, bNs, 'borrow-beyond');
    TABLE.record(envName, `${borrower.name} asks for ${size} more beyond ${limit}`, 'pending', stateOf(beyond).startsWith('pending') ? 'pending' : stateOf(beyond));
    expect(stateOf(beyond)).toMatch(/^pending/);
    await deleteJob(api, bNs, 'borrow-beyond');
    await poll('borrow-beyond gone', async () => ((await workloadOfJob(api, bNs, 'borrow-beyond')) === undefined ? true : undefined), 60000, 500);

    // The lender takes its whole nominal quota back: just enough of the borrower's workloads yield.
    const t = Date.now();
    await createJob(api, jobManifest({ name: 'reclaim', namespace: lNs, image: image(e), queue: LOCAL_QUEUE, gpus: { 'nvidia.com/gpu': String(nominal(lender)) }, ...pin }));
    await waitForWorkload(api, lNs, 'reclaim', 'Admitted', (w) => isTrue(w, 'Admitted'), 120000);
    const reclaimSeconds = (Date.now() - t) / 1000;
    const states = await Promise.all(Array.from({ length: count }, (_, i) => workloadOfJob(api, bNs, `borrow-${i}`).then(stateOf)));
    const evicted = states.filter((st) => st.startsWith('evicted')).length + states.filter((st) => st.startsWith('pending')).length;
    // Lending limits: only the lendable parts form the cohort's shared pool. The lender serves its
    // non-lendable part from its own quota and the rest from the pool, which the borrower holds
    // beyond its own non-lendable part; so what yields is the lender's need minus what is free in
    // the pool (idle non-lendable quota of a third team does not help).
    const sharedPool = e.spec.teams.reduce((n, t) => n + lendable(t), 0);
    const poolFree = sharedPool - (limit - (nominal(borrower) - lendable(borrower)));
    const need = lendable(lender);
    const expectedEvicted = Math.max(0, need - poolFree) / size;
    const kept = await usageOnceSettled(api, borrower.name, `${pool.name}/nvidia.com/gpu`, String(limit - expectedEvicted * size));
    const observed = { lender: 'admitted', borrowerJobsYielded: evicted, borrowerKeeps: kept, reasons: [...new Set(states.filter((st) => !st.startsWith('admitted')))] };
    const expected = { lender: 'admitted', borrowerJobsYielded: expectedEvicted, borrowerKeeps: String(limit - expectedEvicted * size), reasons: expectedEvicted > 0 ? ['evicted (Preempted)'] : [] };
    TABLE.record(envName, `${lender.name} then asks for its nominal ${nominal(lender)} on ${pool.name}`, expected, observed, reclaimSeconds);
    expect(observed).toEqual(expected);
  });

  test('fair-share weights decide who yields first when the lender takes its quota back', async () => {
    const byWeight = [...e.spec.teams].sort((a, b) => a.queueing.fairShareWeight - b.queueing.fairShareWeight);
    const light = byWeight[0];
    const heavy = byWeight[byWeight.length - 1];
    const third = e.spec.teams.find((t) => t !== light && t !== heavy);
    if (third === undefined || light.queueing.fairShareWeight === heavy.queueing.fairShareWeight) return; // needs three teams and two weights
    const sc = live(e);
    const step = Math.min(pool.gpusPerNode, [nominal(light), nominal(heavy), nominal(third), lendable(third)].reduce(gcd));
    if (2 * step > lendable(third) || nominal(light) + step > rq(light) || nominal(heavy) + step > rq(heavy)) return;
    // Both borrow `step` while the third team is idle.
    const fill = async (t: TeamSpec): Promise<void> => {
      for (let i = 0; i < (nominal(t) + step) / step; i++) await submitAdmitted(e, { name: `share-${i}`, namespace: workflowNamespaceName(t.name, 'training'), queue: LOCAL_QUEUE, gpus: { 'nvidia.com/gpu': String(step) }, ...pin });
    };
    await fill(heavy);
    await fill(light);
    // The third team asks for all it can get without preemption, plus one step.
    const ask = nominal(third) - lendable(third) + (lendable(third) - 2 * step) + step;
    const ns = workflowNamespaceName(third.name, 'training');
    const t = Date.now();
    await createJob(sc.api, jobManifest({ name: 'reclaim', namespace: ns, image: image(e), queue: LOCAL_QUEUE, gpus: { 'nvidia.com/gpu': String(ask) }, ...pin }));
    await waitForWorkload(sc.api, ns, 'reclaim', 'Admitted', (w) => isTrue(w, 'Admitted'), 120000);
    const seconds = (Date.now() - t) / 1000;
    const yielded = async (team: TeamSpec): Promise<number> => {
      const states = await Promise.all(Array.from({ length: (nominal(team) + step) / step }, (_, i) => workloadOfJob(sc.api, workflowNamespaceName(team.name, 'training'), `share-${i}`).then(stateOf)));
      return states.filter((st) => !st.startsWith('admitted')).length;
    };
    const observed = { [`${light.name} (weight ${light.queueing.fairShareWeight})`]: await yielded(light), [`${heavy.name} (weight ${heavy.queueing.fairShareWeight})`]: await yielded(heavy) };
    const expected = { [`${light.name} (weight ${light.queueing.fairShareWeight})`]: 1, [`${heavy.name} (weight ${heavy.queueing.fairShareWeight})`]: 0 };
    TABLE.record(envName, `${heavy.name} and ${light.name} each borrow ${step} on ${pool.name}; ${third.name} asks for ${ask}: jobs that yield`, expected, observed, seconds);
    expect(observed).toEqual(expected);
  });

  test('MIG slices are counted in the pool unit, single strategy: nvidia.com/gpu slices on the MIG flavor', async () => {
    const mig = cluster.gpuPools.find((p) => p.enabled && p.sharing === 'mig');
    if (mig === undefined) return;
    const sc = live(e);
    const team = e.spec.teams[0];
    const ns = workflowNamespaceName(team.name, 'training');
    const { workload, seconds } = await submitAdmitted(e, { name: 'mig-slices', namespace: ns, queue: LOCAL_QUEUE, gpus: { 'nvidia.com/gpu': '2' }, nodeSelector: poolSelectorLabels(cluster.provider, mig) });
    const [node] = await runningNodes(sc.api, ns, 'mig-slices', 1);
    const slices = sc.gpuNodes.find((n) => n.name === node);
    const usage = await usageOnceSettled(sc.api, team.name, `${mig.name}/nvidia.com/gpu`, '2');
    const observed = { flavor: workload.status?.admission?.podSetAssignments[0]?.flavors?.['nvidia.com/gpu'], pool: slices?.pool, nodeAllocatable: slices?.devices, usage };
    const expected = { flavor: mig.name, pool: mig.name, nodeAllocatable: mig.gpusPerNode * migSlicesPerGpu(mig.gpuModel, mig.migProfile ?? ''), usage: '2' };
    TABLE.record(envName, `2 MIG slices (${mig.migProfile}) on ${mig.name}`, expected, observed, seconds);
    expect(observed).toEqual(expected);
  });

  test('a JobSet is admitted all or nothing through the team queue: every replicated Job at once, or none', async () => {
    // Kueue gates the JobSet as one Workload with a pod set per replicated Job. The JobSet
    // controller (the Trainer chart's) is not run here: no child Jobs, only Kueue's decision and
    // the JobSet's suspend flag, which Kueue lifts on admission.
    const sc = live(e);
    const t = borrower;
    const ns = workflowNamespaceName(t.name, 'training');
    const ceiling = max(t);
    // Sizes per pod: the first gang (1 + 2 pods of f GPUs) leaves r = ceiling - 3f; the second
    // (1 + 2 pods of g) has each replicated Job fit in r (2g <= r) but not both (r < 3g).
    const sizes = Array.from({ length: pool.gpusPerNode }, (_, i) => i + 1);
    const found = sizes.flatMap((f) => sizes.filter((g) => 2 * g <= ceiling - 3 * f && ceiling - 3 * f < 3 * g).map((g) => ({ f, g })))[0];
    if (found === undefined) throw new Error(`no gang sizes fit ${t.name}'s ceiling ${ceiling} on ${pool.name}`);
    const { f: first, g: unit } = found;
    const gang = (name: string, leader: number, workers: number): Record<string, unknown> =>
      jobSetManifest({ name, namespace: ns, image: image(e), queue: LOCAL_QUEUE, nodeSelector: pin.nodeSelector, replicatedJobs: [{ name: 'leader', gpus: { 'nvidia.com/gpu': String(leader) } }, { name: 'workers', parallelism: 2, gpus: { 'nvidia.com/gpu': String(workers) } }] });
    const podSets = (w: Workload | undefined): Record<string, string> =>
      Object.fromEntries((w?.status?.admission?.podSetAssignments ?? []).map((a) => [a.name, `${a.count ?? '?'} x ${a.flavors?.['nvidia.com/gpu'] ?? '?'}`]));
    const t0 = Date.now();
    expect((await createJobSet(sc.api, gang('gang-a', first, first))).status).toBe(201);
    const a = await poll('gang-a admitted', async () => {
      const w = await workloadOfOwner(sc.api, ns, 'JobSet', 'gang-a');
      return w !== undefined && isTrue(w, 'Admitted') ? w : undefined;
    }, 60000, 250);
    const aSeconds = (Date.now() - t0) / 1000;
    expect((await createJobSet(sc.api, gang('gang-b', unit, unit))).status).toBe(201);
    await sleep(5000);
    const b = await workloadOfOwner(sc.api, ns, 'JobSet', 'gang-b');
    const observed = {
      first: { state: stateOf(a), podSets: podSets(a), suspended: (await getJobSet(sc.api, ns, 'gang-a')).spec.suspend === true },
      second: { state: stateOf(b).startsWith('pending') ? 'pending' : stateOf(b), podSets: podSets(b), suspended: (await getJobSet(sc.api, ns, 'gang-b')).spec.suspend === true },
    };
    const expected = {
      first: { state: 'admitted', podSets: { leader: `1 x ${pool.name}`, workers: `2 x ${pool.name}` }, suspended: false },
      second: { state: 'pending', podSets: {}, suspended: true },
    };
    TABLE.record(envName, `${t.name} (ceiling ${ceiling} on ${pool.name}): JobSet gang-a, leader 1 x ${first} + workers 2 x ${first} GPUs; then gang-b, leader 1 x ${unit} + workers 2 x ${unit} with ${ceiling - 3 * first} left`, expected, observed, aSeconds);
    expect(observed).toEqual(expected);
    // The first gang leaves: the second is admitted whole.
    const t1 = Date.now();
    await deleteJobSet(sc.api, ns, 'gang-a');
    const b2 = await poll('gang-b admitted', async () => {
      const w = await workloadOfOwner(sc.api, ns, 'JobSet', 'gang-b');
      return w !== undefined && isTrue(w, 'Admitted') ? w : undefined;
    }, 120000, 250).catch(() => undefined);
    // Kueue lifts the suspend flag just after it writes the admission.
    const resumed = await poll('gang-b resumed', async () => ((await getJobSet(sc.api, ns, 'gang-b')).spec.suspend === true ? undefined : true), 20000, 250).catch(() => false);
    const after = { state: stateOf(b2), podSets: podSets(b2), suspended: !resumed };
    const afterExpected = { state: 'admitted', podSets: { leader: `1 x ${pool.name}`, workers: `2 x ${pool.name}` }, suspended: false };
    TABLE.record(envName, 'gang-a deleted: gang-b admitted whole', afterExpected, after, (Date.now() - t1) / 1000);
    await deleteJobSet(sc.api, ns, 'gang-b');
    await poll('gang workloads gone', async () => ((await workloadOfOwner(sc.api, ns, 'JobSet', 'gang-b')) === undefined ? true : undefined), 60000, 500);
    expect(after).toEqual(afterExpected);
  });
});

describe.each(['dev', 'staging', 'prod'])('%s: primary cluster with the real Kueue', (envName) => {
  const { e, cluster } = primaryCluster(envName, suite);
  const plan = planQueues(e.spec, cluster, clusterStages(e.spec, cluster));
  const team = e.spec.teams[0];
  const trainNs = workflowNamespaceName(team.name, 'training');
  const servNs = workflowNamespaceName(team.name, 'serving');
  const pool = cluster.gpuPools.filter((p) => p.enabled)[0];
  const gpu = poolResourceName(pool);

  test('Kueue runs with the manager Configuration the platform hands the chart; only the loopback fields differ', () => {
    const sc = live(e);
    // The chart adds its internalCertManagement default to what the platform passes.
    const { internalCertManagement: _ignored, ...passed } = sc.kueue.chartConfig;
    const platform = YAML.parse(kueueManagerConfig(kueueConfigOptions(e.spec, cluster))) as Record<string, unknown>;
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
    // The three Jobs are watched at once (8 s each); the pods are checked meanwhile.
    const prepNs = workflowNamespaceName(team.name, 'data-prep');
    const systemNs = 'platform-ci';
    const jobFates = Promise.all([fate(trainNs, 'no-queue-gpu', { [gpu]: '1' }), fate(prepNs, 'prep-cpu'), fate(systemNs, 'system-job')]);
    // A bare GPU pod: Kueue's pod integration gates it (schedulingGates) until it has a queue.
    const podRes = await createPod(sc.api, podManifest({ name: 'no-queue-pod', namespace: trainNs, image: image(e), resources: { limits: { cpu: '500m', memory: '1Gi', [gpu]: '1' } }, ...bypass, labels: { 'ml.platform/test': 'kueue' } }));
    await sleep(3000);
    const pod = podRes.status === 201 ? await sc.api.json<{ spec: { nodeName?: string; schedulingGates?: { name: string }[] } }>('GET', `/api/v1/namespaces/${trainNs}/pods/no-queue-pod`) : undefined;
    const podFate = podRes.status !== 201 ? `refused (${podRes.status})` : pod?.spec.nodeName !== undefined ? `running outside Kueue on ${pod.spec.nodeName}` : (pod?.spec.schedulingGates ?? []).length > 0 ? `held (gated: ${(pod?.spec.schedulingGates ?? []).map((g) => g.name).join(',')})` : 'pending, not gated';
    TABLE.record(envName, `GPU pod without ${QUEUE_LABEL} in ${trainNs}`, 'held or refused', podFate.startsWith('held') || podFate.startsWith('refused') ? 'held or refused' : podFate);
    await sc.api.request('DELETE', `/api/v1/namespaces/${trainNs}/pods/no-queue-pod?gracePeriodSeconds=0`);
    // A stage without LocalQueues: not gated, and its ResourceQuota has no GPU budget.
    const prepGpu = await createPod(sc.api, podManifest({ name: 'prep-gpu', namespace: prepNs, image: image(e), resources: { limits: { cpu: '500m', memory: '1Gi', [gpu]: '1' } }, ...bypass }));
    TABLE.record(envName, `GPU pod in ${prepNs} (no LocalQueue there)`, 'refused (403)', prepGpu.status === 201 ? 'created' : `refused (${prepGpu.status})`);
    const [gpuNoQueue, prepCpu, system] = await jobFates;
    TABLE.record(envName, `GPU Job without ${QUEUE_LABEL} in ${trainNs}`, 'held or refused', heldOrRefused(gpuNoQueue));
    TABLE.record(envName, `CPU Job without a queue name in ${prepNs}`, 'running outside Kueue on cpu-0', prepCpu);
    await deleteJob(sc.api, prepNs, 'prep-cpu');
    expect(podFate.startsWith('held') || podFate.startsWith('refused')).toBe(true);
    expect(prepGpu.status).toBe(403);
    expect(prepCpu).toBe('running outside Kueue on cpu-0');
    TABLE.record(envName, `Job without a queue name in ${systemNs} (not a team namespace)`, 'running outside Kueue on cpu-0', system);
    await deleteJob(sc.api, systemNs, 'system-job');
    expect(heldOrRefused(gpuNoQueue)).toBe('held or refused');
    expect(system).toBe('running outside Kueue on cpu-0');
  });

  test('production-serving preempts experiments inside the ClusterQueue; training sits between', async () => {
    const sc = live(e);
    // Fill the team's quota on the pool: experiments in serving, training in training (each within its namespace's ResourceQuota).
    // As much as the ClusterQueue can hold on the pool (borrowing included), pinned to the pool.
    const full = maxOf(e.spec, team, pool);
    const rqKey = gpu === 'nvidia.com/gpu.shared' ? 'sharedGpu' : 'gpu';
    const servingShare = Math.min(Number(team.quotas.serving?.[rqKey] ?? 0), full - 1);
    const trainingShare = full - servingShare;
    const one = { [gpu]: '1' };
    const pin = { nodeSelector: poolSelectorLabels(cluster.provider, pool) };
    await submitAdmitted(e, { name: 'exp-serving', namespace: servNs, queue: LOCAL_QUEUE, priorityClass: 'experiments', gpus: one, parallelism: servingShare, ...pin });
    await submitAdmitted(e, { name: 'train-training', namespace: trainNs, queue: LOCAL_QUEUE, priorityClass: 'training', gpus: one, parallelism: trainingShare, ...pin });
    const { seconds } = await submitAdmitted(e, { name: 'prod-serving', namespace: servNs, queue: LOCAL_QUEUE, priorityClass: 'production-serving', gpus: one, ...pin }, 120000);
    const exp = await workloadOfJob(sc.api, servNs, 'exp-serving');
    const trn = await workloadOfJob(sc.api, trainNs, 'train-training');
    const observed = { production: 'admitted', experiments: stateOf(exp), training: stateOf(trn) };
    TABLE.record(envName, `quota full (${servingShare} experiments + ${trainingShare} training), then production-serving asks for 1`, { production: 'admitted', experiments: 'evicted (Preempted)', training: 'admitted' }, observed, seconds);
    await runningNodes(sc.api, servNs, 'prod-serving', 1);
    // Production leaves: experiments come back; then training asks for 1 more and experiments yield again.
    await deleteJob(sc.api, servNs, 'prod-serving');
    await waitForWorkload(sc.api, servNs, 'exp-serving', 'readmitted', (w) => isTrue(w, 'Admitted'), 120000);
    const second = await submitAdmitted(e, { name: 'train-serving', namespace: servNs, queue: LOCAL_QUEUE, priorityClass: 'training', gpus: one, ...pin }, 120000);
    const exp2 = await workloadOfJob(sc.api, servNs, 'exp-serving');
    const trn2 = await workloadOfJob(sc.api, trainNs, 'train-training');
    const observed2 = { newTraining: 'admitted', experiments: stateOf(exp2), olderTraining: stateOf(trn2) };
    TABLE.record(envName, 'quota full again, then training asks for 1', { newTraining: 'admitted', experiments: 'evicted (Preempted)', olderTraining: 'admitted' }, observed2, second.seconds);
    expect(observed).toEqual({ production: 'admitted', experiments: 'evicted (Preempted)', training: 'admitted' });
    expect(observed2).toEqual({ newTraining: 'admitted', experiments: 'evicted (Preempted)', olderTraining: 'admitted' });
  });
});

/** Scenarios started above and observed in the background while the rest ran. */
describe('checked last: the scenarios that wait for a Kueue timeout', () => {
  test('waitForPodsReady: a distributed Job that cannot get all its pods running gives its GPUs back', async () => {
    if (podsReady === undefined) throw new Error("staging's cohort block did not start the waitForPodsReady scenario");
    const { scenario, expected, observed } = await podsReady.result();
    TABLE.record('staging', scenario, expected, observed);
    expect(observed).toEqual(expected);
  }, 15 * 60 * 1000);
});
