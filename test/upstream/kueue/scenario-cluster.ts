/**
 * One cluster of an environment, brought up for the Kueue scenarios: a test control plane, the
 * platform's own objects for that cluster (namespaces, quotas, limit ranges, service accounts, RBAC,
 * admission policies), the real Kueue from the platform's chart rendering, then the platform's
 * Kueue objects (accepted by Kueue's own webhooks), kwok GPU nodes sized from the spec and one
 * CPU node. Reusable by other scenario suites.
 */
import { addon } from '../../../constructs/catalog';
import { ClusterSpec, PlatformSpec } from '../../../environments';
import { ManifestObject, renderEnvironment } from '../../../stacks/manifests';
import { RenderContext, renderRelease } from '../../../stacks/upstream/addon-render';
import { KubeApi } from '../../cluster/api-client';
import { ControlPlane, startControlPlane } from '../../cluster/control-plane';
import { createFakeNode } from '../../cluster/kwok';
import { groupOf, poll } from '../../cluster/platform-helpers';
import { applyRendered, keyOf, Verdict } from '../charts/admission';
import { cpuNode, GpuNode, gpuNodesOf, startKwokHoldingPods } from './gpu-nodes';
import { KueueProcess, startKueue } from './kueue-process';

/** API groups of the platform's objects the test API server serves without other add-ons' CRDs. */
const SERVED_GROUPS = new Set(['', 'rbac.authorization.k8s.io', 'networking.k8s.io', 'admissionregistration.k8s.io', 'scheduling.k8s.io', 'resource.k8s.io', 'kueue.x-k8s.io']);

export interface ScenarioCluster {
  readonly spec: PlatformSpec;
  readonly cluster: ClusterSpec;
  readonly cp: ControlPlane;
  readonly api: KubeApi;
  readonly kueue: KueueProcess;
  readonly gpuNodes: readonly GpuNode[];
  readonly cpuNodeName: string;
  /** The platform's Kueue objects for this cluster, and Kueue's verdicts on them. */
  readonly kueueObjects: readonly ManifestObject[];
  readonly kueueVerdicts: readonly Verdict[];
  /** Seconds per phase. */
  readonly timings: Readonly<Record<string, number>>;
  stop(): Promise<void>;
}

export interface ScenarioClusterOptions {
  readonly ctx: RenderContext;
  readonly kueueBinary: string;
  /** Extra platform objects to skip (e.g. MultiKueue objects a later step applies). */
  readonly holdBack?: (o: ManifestObject) => boolean;
  /**
   * Add-ons (catalog ids) whose CRDs, as their charts render them for this cluster, are installed
   * before Kueue starts, so Kueue sets up its integrations for those kinds (e.g. kubeflow-trainer:
   * TrainJob and JobSet). Their controllers are not run. @default none
   */
  readonly crdsOf?: readonly string[];
}

/**
 * Server-side apply, again for objects whose request timed out or lost its connection: a busy
 * machine makes the API server slow (CEL of the admission policies, large CRDs). Apply is
 * idempotent; a refusal is never retried.
 */
export async function applyRetryingTransient(api: KubeApi, objects: readonly ManifestObject[], namespace: string): Promise<Verdict[]> {
  const transient = (v: Verdict): boolean => !v.ok && /timeout|socket hang up|ECONNRESET/.test(v.message ?? '');
  let verdicts = await applyRendered(api, objects, namespace);
  for (let i = 0; i < 3 && verdicts.some(transient); i++) {
    const again = new Set(verdicts.filter(transient).map((v) => v.key));
    const retried = await applyRendered(api, objects.filter((o) => again.has(keyOf(o))), namespace);
    verdicts = [...verdicts.filter((v) => !again.has(v.key)), ...retried];
  }
  return verdicts;
}

export async function startScenarioCluster(spec: PlatformSpec, cluster: ClusterSpec, opts: ScenarioClusterOptions): Promise<ScenarioCluster> {
  const timings: Record<string, number> = {};
  const lap = (name: string, since: number): void => {
    timings[name] = Math.round((Date.now() - since) / 100) / 10;
  };
  let t = Date.now();
  const cp = await startControlPlane({ log: () => undefined });
  const api = new KubeApi(cp);
  try {
    lap('control plane', t);
    t = Date.now();
    const platform = renderEnvironment(spec).find((c) => c.cluster.name === cluster.name);
    if (platform === undefined) throw new Error(`no output for ${cluster.name}`);
    const objects = platform.files.flatMap((f) => f.objects).filter((o) => SERVED_GROUPS.has(groupOf(o.apiVersion)));
    const isKueue = (o: ManifestObject): boolean => groupOf(o.apiVersion) === 'kueue.x-k8s.io';
    const base = objects.filter((o) => !isKueue(o));
    const baseVerdicts = await applyRetryingTransient(api, base, 'default');
    const refused = baseVerdicts.filter((v) => !v.ok);
    if (refused.length > 0) throw new Error(`platform objects refused:\n${refused.map((v) => `${v.key}: ${v.message ?? ''}`).join('\n')}`);
    lap('platform objects', t);

    t = Date.now();
    for (const id of opts.crdsOf ?? []) {
      const crds = renderRelease(opts.ctx, spec, cluster, addon(id)).objects.filter((o) => o.kind === 'CustomResourceDefinition');
      if (crds.length === 0) throw new Error(`${id} renders no CRDs for ${cluster.name}`);
      const verdicts = await applyRetryingTransient(api, crds, addon(id).namespace);
      const bad = verdicts.filter((v) => !v.ok);
      if (bad.length > 0) throw new Error(`${id} CRDs refused:\n${bad.map((v) => `${v.key}: ${v.message ?? ''}`).join('\n')}`);
      for (const c of crds) {
        await poll(`CRD ${c.metadata.name} Established`, async () => {
          const got = await api.json<{ status?: { conditions?: { type: string; status: string }[] } }>('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${c.metadata.name}`);
          return got.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True') === true ? true : undefined;
        }, 30000, 250);
      }
    }
    lap('add-on CRDs', t);

    t = Date.now();
    const kueueAddon = addon('kueue');
    const release = renderRelease(opts.ctx, spec, cluster, kueueAddon);
    const kueue = await startKueue(cp, api, { binary: opts.kueueBinary, namespace: kueueAddon.namespace, objects: release.objects });
    lap('kueue ready', t);

    t = Date.now();
    const kueueObjects = objects.filter((o) => isKueue(o) && !(opts.holdBack?.(o) ?? false));
    // Through Kueue's webhooks: defaulting and validation by the real thing.
    const kueueVerdicts = await applyRendered(api, kueueObjects, 'default');
    lap('platform kueue objects', t);

    t = Date.now();
    await startKwokHoldingPods(cp);
    const gpuNodes = gpuNodesOf(cluster);
    const cpu = cpuNode();
    for (const n of [...gpuNodes, cpu]) await createFakeNode(cp, n);
    lap('kwok nodes', t);

    return {
      spec,
      cluster,
      cp,
      api,
      kueue,
      gpuNodes,
      cpuNodeName: cpu.name,
      kueueObjects,
      kueueVerdicts,
      timings,
      stop: async () => {
        api.close();
        await cp.stop();
      },
    };
  } catch (err) {
    api.close();
    await cp.stop();
    throw err;
  }
}

/** ClusterQueue names whose Active condition is True. */
export async function activeClusterQueues(api: KubeApi): Promise<string[]> {
  const list = await api.json<{ items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[] }>('GET', '/apis/kueue.x-k8s.io/v1beta2/clusterqueues');
  return list.items.filter((cq) => cq.status?.conditions?.some((c) => c.type === 'Active' && c.status === 'True') === true).map((cq) => cq.metadata.name).sort();
}

/** Waits until every named ClusterQueue is Active; returns the ones that are. */
export async function waitActive(api: KubeApi, names: readonly string[], timeoutMs = 60000): Promise<string[]> {
  try {
    return await poll('ClusterQueues Active', async () => {
      const active = await activeClusterQueues(api);
      return names.every((n) => active.includes(n)) ? active : undefined;
    }, timeoutMs, 500);
  } catch {
    return activeClusterQueues(api);
  }
}
