/**
 * What a Kueue scenario file needs around one environment's cluster: the tools and render context
 * (built or found once per file), the cluster's lifetime hooks, a trainer image the cluster's
 * admission policies accept, and the few steps every scenario repeats (submit and wait for
 * admission, wait for running pods, clean up between tests). Reusable by other scenario suites
 * (DRA, LLM serving): import these instead of copying them.
 */
import { ClusterSpec, clusterStages, loadEnvironment, PlatformSpec } from '../../../environments';
import { workflowNamespaceName } from '../../../constructs/tenancy/platform-namespaces';
import { RenderContext } from '../../../stacks/upstream/addon-render';
import { defaultRenderContext } from '../../../stacks/upstream/render-context';
import { KubeApi } from '../../cluster/api-client';
import { poll } from '../../cluster/platform-helpers';
import { ensureTools, Tools } from '../../tools/build';
import { condition, createJob, deleteJob, deleteJobSet, isTrue, jobManifest, JobOptions, podsOfJob, waitForWorkload, Workload } from './jobs';
import { ScenarioCluster, startScenarioCluster } from './scenario-cluster';

/** One environment's cluster as the scenarios see it. */
export interface ScenarioEnv {
  /** Row label in the scenario table (environment, or environment/cluster). */
  readonly name: string;
  readonly spec: PlatformSpec;
  /** Set once the cluster is up. */
  sc?: ScenarioCluster;
  /** Jobs (namespace/name) that outlive one test: cleanUp leaves them alone. */
  readonly keep: Set<string>;
}

/** The tools and the chart render context, ready once the file's beforeAll has run. */
export interface SuiteTools {
  tools(): Tools;
  ctx(): RenderContext;
}

/** Registers a beforeAll that builds or finds the tools (helm, kueue...) and the chart repository on disk. */
export function useSuiteTools(): SuiteTools {
  let tools: Tools | undefined;
  let ctx: RenderContext | undefined;
  beforeAll(async () => {
    tools = await ensureTools();
    process.env.HELM ??= tools.helm;
    ctx = defaultRenderContext();
    if (ctx.charts.kind !== 'directory') throw new Error('the Kueue scenarios render the chart from a repository on disk: ../shared/charts beside the clone, or HML_CHART_REPOSITORY=<directory>');
  }, 30 * 60 * 1000);
  const ready = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the tools are not ready: useSuiteTools() registers a beforeAll, call it at the top of the file');
    return v;
  };
  return { tools: () => ready(tools), ctx: () => ready(ctx) };
}

export function live(e: ScenarioEnv): ScenarioCluster {
  if (e.sc === undefined) throw new Error(`${e.name}: the cluster did not come up`);
  return e.sc;
}

/** A trainer image from the cluster's registry (pinned by digest where the environment requires it). */
export const testImage = (e: ScenarioEnv): string => `${live(e).cluster.registry.endpoint}/trainer:1.0.0${e.spec.images.requireDigest ? `@sha256:${'0123456789abcdef'.repeat(4)}` : ''}`;

/** Submits a Job and waits for its Workload to be admitted; seconds from submission. */
export async function submitAdmitted(e: ScenarioEnv, o: Omit<JobOptions, 'image'>, timeoutMs = 60000): Promise<{ workload: Workload; seconds: number }> {
  const api = live(e).api;
  const t = Date.now();
  const res = await createJob(api, jobManifest({ ...o, image: testImage(e) }));
  if (res.status !== 201) throw new Error(`${o.namespace}/${o.name}: ${res.status} ${res.message}`);
  const workload = await waitForWorkload(api, o.namespace, o.name, 'Admitted', (w) => isTrue(w, 'Admitted'), timeoutMs);
  return { workload, seconds: (Date.now() - t) / 1000 };
}

/** admitted, evicted (<reason>) or pending (<reason>), from the Workload's conditions. */
export function stateOf(w: Workload | undefined): string {
  if (w === undefined) return 'no workload';
  if (isTrue(w, 'Admitted')) return 'admitted';
  const evicted = condition(w, 'Evicted');
  if (evicted?.status === 'True') return `evicted (${evicted.reason ?? '?'})`;
  return `pending (${condition(w, 'QuotaReserved')?.reason ?? '?'})`;
}

/** Nodes of the Job's pods once `count` of them run. */
export async function runningNodes(api: KubeApi, ns: string, job: string, count: number, timeoutMs = 60000): Promise<string[]> {
  return poll(`${ns}/${job}: ${count} pods Running`, async () => {
    const pods = (await podsOfJob(api, ns, job)).filter((p) => p.status.phase === 'Running');
    return pods.length >= count ? pods.map((p) => p.spec.nodeName ?? '').sort() : undefined;
  }, timeoutMs, 250);
}

/** Deletes every Job in the team namespaces (but the kept ones) and waits until no other Workload or job pod is left. */
export async function cleanUp(e: ScenarioEnv): Promise<void> {
  const { api, spec, cluster } = live(e);
  const namespaces = spec.teams.flatMap((t) => clusterStages(spec, cluster).map((s) => workflowNamespaceName(t.name, s)));
  for (const ns of namespaces) {
    const jobs = await api.json<{ items: { metadata: { name: string } }[] }>('GET', `/apis/batch/v1/namespaces/${ns}/jobs`);
    for (const j of jobs.items) if (!e.keep.has(`${ns}/${j.metadata.name}`)) await deleteJob(api, ns, j.metadata.name);
    // JobSets too, where their CRD is installed (a failed gang scenario must not hold quota).
    const sets = await api.request('GET', `/apis/jobset.x-k8s.io/v1alpha2/namespaces/${ns}/jobsets`);
    if (sets.status === 200) for (const j of (JSON.parse(sets.body) as { items: { metadata: { name: string } }[] }).items) await deleteJobSet(api, ns, j.metadata.name);
  }
  await poll('no Workload left', async () => {
    const wl = await api.json<{ items: Workload[] }>('GET', '/apis/kueue.x-k8s.io/v1beta2/workloads');
    return wl.items.every((w) => w.metadata.ownerReferences?.some((r) => e.keep.has(`${w.metadata.namespace}/${r.name}`)) === true) ? true : undefined;
  }, 120000, 500);
  await poll('no job pod left', async () => {
    const pods = await api.json<{ items: { metadata: { namespace: string; labels?: Record<string, string> } }[] }>('GET', `/api/v1/pods?labelSelector=${encodeURIComponent('ml.platform/test=kueue')}`);
    return pods.items.every((p) => e.keep.has(`${p.metadata.namespace}/${p.metadata.labels?.['batch.kubernetes.io/job-name'] ?? ''}`)) ? true : undefined;
  }, 120000, 500);
}

export interface PrimaryClusterOptions {
  /**
   * When the cluster stops: after the enclosing describe block, or at the end of the file (a
   * scenario started in the block is checked later, see later.ts). @default 'describe'
   */
  readonly stopAfter?: 'describe' | 'file';
  /** Add-ons whose CRDs are installed before Kueue starts (ScenarioClusterOptions.crdsOf). @default none */
  readonly crdsOf?: readonly string[];
}

/**
 * The environment's primary cluster, started before the enclosing describe block's tests; jobs
 * cleaned up after each of its tests. Call inside a describe block.
 */
export function primaryCluster(envName: string, suite: SuiteTools, opts: PrimaryClusterOptions = {}): { e: ScenarioEnv; cluster: ClusterSpec } {
  const e: ScenarioEnv = { name: envName, spec: loadEnvironment(envName), keep: new Set() };
  const cluster = e.spec.clusters.find((c) => c.role === 'primary');
  if (cluster === undefined) throw new Error(`${envName} has no primary cluster`);
  beforeAll(async () => {
    e.sc = await startScenarioCluster(e.spec, cluster, { ctx: suite.ctx(), kueueBinary: suite.tools().kueue, crdsOf: opts.crdsOf });
  }, 15 * 60 * 1000);
  stopAt(opts.stopAfter ?? 'describe', [e]);
  afterEach(async () => {
    if (e.sc !== undefined) await cleanUp(e);
  }, 5 * 60 * 1000);
  return { e, cluster };
}

const atFileEnd: ScenarioEnv[] = [];
let fileEndRegistered = false;

/**
 * Stops the environments' clusters after the enclosing describe block, or at the end of the file.
 * Call inside a describe block (the file-end hook registers itself at the top level).
 */
export function stopAt(when: 'describe' | 'file', envs: readonly ScenarioEnv[]): void {
  if (when === 'describe') {
    afterAll(async () => {
      for (const e of envs) await e.sc?.stop();
    });
    return;
  }
  atFileEnd.push(...envs);
}

/** Registers the top-level afterAll that stops every cluster kept until the end of the file; call once at the top of the file. */
export function stopKeptClustersAtFileEnd(): void {
  if (fileEndRegistered) return;
  fileEndRegistered = true;
  afterAll(async () => {
    for (const e of atFileEnd.splice(0)) await e.sc?.stop();
  }, 5 * 60 * 1000);
}
