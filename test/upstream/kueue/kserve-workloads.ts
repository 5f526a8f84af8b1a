/**
 * The workload objects KServe's LLMInferenceService controller (v0.20, llmisvc) creates for a
 * service, built from the platform's rendered LLMInferenceService and its preset: the KServe
 * controller does not run in the scenario clusters, so the scenarios stand in for it with these.
 *
 * What is taken from KServe's sources (kserve/kserve, pkg/controller/v1alpha1/llmisvc; the stored
 * versions with API v1alpha1 and with API v1alpha2 agree on every point used here):
 *   - workload_single_node.go: a service without `worker` gets a Deployment `<name>-kserve` with
 *     `replicas: spec.replicas`, the pod spec `spec.template` (after the baseRefs merge), identity
 *     labels app.kubernetes.io/{component: llminferenceservice-workload, name: <name>, part-of:
 *     llminferenceservice}, kserve.io/component: workload, llm-d.ai/role: both (no prefill), the
 *     same labels as selector and pod labels; `spec.labels` added to the pod labels;
 *     propagateDeploymentMetadata copies every label and annotation of the service whose key starts
 *     with `kueue.x-k8s.io` (constants.KueueAPIGroupName) to the Deployment AND its pod template;
 *   - workload_multi_node.go: a service with `worker` gets a LeaderWorkerSet `<name>-kserve-mn`,
 *     size `parallelism.GetSize()` (= pipeline without data parallelism), leaderTemplate from
 *     `spec.template` (labels component llminferenceservice-workload-leader, kserve.io/component,
 *     llm-d.ai/role), workerTemplate from `spec.worker` (component llminferenceservice-workload-worker),
 *     both with the ServiceAccount `<name>-kserve-mn` KServe creates, restartPolicy
 *     RecreateGroupOnPodRestart, startupPolicy LeaderCreated, rollout RollingUpdate; the kueue.x-k8s.io
 *     labels go to the leader and worker templates and to the object (its label map is the worker
 *     template's);
 * So the platform's Kueue labels on the service do reach the objects Kueue reads: no change needed.
 *
 * What is left out, and why it does not change what Kueue or the scheduler decide: the owner
 * reference to the service (its CRD is not installed here), the well-known config's command, probes,
 * volumes and TLS secret, the storage-initializer init container (its requests are below the model
 * server's, and a pod's requests are the larger of its init and regular containers).
 */
import { ManifestObject } from '../../../stacks/manifests';

/** Key prefix KServe propagates from the service's labels (constants.KueueAPIGroupName). */
export const KSERVE_PROPAGATED_PREFIX = 'kueue.x-k8s.io';

type PodSpec = Record<string, unknown> & { containers: Record<string, unknown>[] };

interface LlmServiceObject {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec: {
    readonly replicas?: number;
    readonly labels?: Readonly<Record<string, string>>;
    readonly baseRefs?: readonly { readonly name: string }[];
    readonly parallelism?: { readonly tensor?: number; readonly pipeline?: number; readonly data?: number; readonly dataLocal?: number };
    readonly template?: PodSpec;
    readonly worker?: PodSpec;
  };
}

interface PresetObject {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: { readonly template?: PodSpec };
}

const asService = (o: ManifestObject): LlmServiceObject => o as unknown as LlmServiceObject;

/** The service's labels KServe copies to its workloads. */
export function propagatedLabels(svc: ManifestObject): Record<string, string> {
  return Object.fromEntries(Object.entries(asService(svc).metadata.labels ?? {}).filter(([k]) => k.startsWith(KSERVE_PROPAGATED_PREFIX)));
}

/**
 * The service's pod spec merged over its preset's (KServe merges the baseRefs under the service):
 * containers by name, the service's fields winning; other fields the service's where it sets them.
 */
export function mergedPodSpec(preset: PodSpec | undefined, own: PodSpec): PodSpec {
  const base = preset ?? { containers: [] };
  const containers = own.containers.map((c) => ({ ...(base.containers.find((b) => b.name === c.name) ?? {}), ...c }));
  const extra = base.containers.filter((b) => !own.containers.some((c) => c.name === b.name));
  return { ...base, ...own, containers: [...containers, ...extra] };
}

function presetOf(svc: LlmServiceObject, presets: readonly ManifestObject[]): PodSpec | undefined {
  const names = (svc.spec.baseRefs ?? []).map((r) => r.name);
  const found = presets.map((p) => p as unknown as PresetObject).filter((p) => p.metadata.namespace === svc.metadata.namespace && names.includes(p.metadata.name));
  if (names.length > 0 && found.length === 0) throw new Error(`${svc.metadata.namespace}/${svc.metadata.name}: baseRefs ${names.join(', ')} not among the rendered LLMInferenceServiceConfigs`);
  return found[0]?.spec.template;
}

/** Deployment name KServe gives a single-node service. */
export const deploymentName = (service: string): string => `${service}-kserve`;
/** LeaderWorkerSet name KServe gives a multi-node service. */
export const leaderWorkerSetName = (service: string): string => `${service}-kserve-mn`;

/** The Deployment of a single-node service (no `worker`), as KServe v0.20 writes it. */
export function kserveDeployment(svcObject: ManifestObject, presets: readonly ManifestObject[], overrides: { readonly name?: string; readonly replicas?: number } = {}): Record<string, unknown> {
  const svc = asService(svcObject);
  if (svc.spec.worker !== undefined) throw new Error(`${svc.metadata.name} has a worker template: KServe makes it a LeaderWorkerSet`);
  if (svc.spec.template === undefined) throw new Error(`${svc.metadata.name} has no pod template`);
  const name = overrides.name ?? svc.metadata.name;
  const identity = {
    'app.kubernetes.io/component': 'llminferenceservice-workload',
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/part-of': 'llminferenceservice',
    'kserve.io/component': 'workload',
    'llm-d.ai/role': 'both',
  };
  const kueue = propagatedLabels(svcObject);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: deploymentName(name), namespace: svc.metadata.namespace, labels: { ...identity, ...kueue } },
    spec: {
      replicas: overrides.replicas ?? svc.spec.replicas ?? 1,
      selector: { matchLabels: identity },
      template: {
        metadata: { labels: { ...identity, ...kueue, ...(svc.spec.labels ?? {}) } },
        spec: mergedPodSpec(presetOf(svc, presets), svc.spec.template),
      },
    },
  };
}

/** Pods per group of a multi-node service: ParallelismSpec.GetSize (data / dataLocal where data parallel, else pipeline). */
export function groupSize(svcObject: ManifestObject): number {
  const p = asService(svcObject).spec.parallelism ?? {};
  if ((p.data ?? 0) > 0 || (p.dataLocal ?? 0) > 0) return Math.max(1, Math.floor(Math.max(p.data ?? 1, 1) / Math.max(p.dataLocal ?? 1, 1)));
  if ((p.pipeline ?? 0) > 0) return p.pipeline as number;
  throw new Error(`${asService(svcObject).metadata.name}: a worker template without pipeline or data parallelism has no group size`);
}

/** The LeaderWorkerSet of a multi-node service (with `worker`), as KServe v0.20 writes it. */
export function kserveLeaderWorkerSet(svcObject: ManifestObject, presets: readonly ManifestObject[], overrides: { readonly name?: string; readonly replicas?: number } = {}): Record<string, unknown> {
  const svc = asService(svcObject);
  if (svc.spec.worker === undefined || svc.spec.template === undefined) throw new Error(`${svc.metadata.name}: a LeaderWorkerSet needs both template and worker`);
  const name = overrides.name ?? svc.metadata.name;
  const kueue = propagatedLabels(svcObject);
  const common = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'llminferenceservice' };
  const workerLabels = { 'app.kubernetes.io/component': 'llminferenceservice-workload-worker', ...common, ...kueue };
  const leaderLabels = { 'app.kubernetes.io/component': 'llminferenceservice-workload-leader', ...common, 'kserve.io/component': 'workload', 'llm-d.ai/role': 'both', ...kueue };
  const serviceAccountName = leaderWorkerSetName(name);
  const showback = svc.spec.labels ?? {};
  return {
    apiVersion: 'leaderworkerset.x-k8s.io/v1',
    kind: 'LeaderWorkerSet',
    metadata: { name: leaderWorkerSetName(name), namespace: svc.metadata.namespace, labels: workerLabels },
    spec: {
      replicas: overrides.replicas ?? svc.spec.replicas ?? 1,
      leaderWorkerTemplate: {
        size: groupSize(svcObject),
        restartPolicy: 'RecreateGroupOnPodRestart',
        leaderTemplate: { metadata: { labels: { ...leaderLabels, ...showback } }, spec: { ...mergedPodSpec(presetOf(svc, presets), svc.spec.template), serviceAccountName } },
        workerTemplate: { metadata: { labels: { ...workerLabels, ...showback } }, spec: { ...svc.spec.worker, serviceAccountName } },
      },
      rolloutStrategy: { type: 'RollingUpdate' },
      startupPolicy: 'LeaderCreated',
    },
  };
}
