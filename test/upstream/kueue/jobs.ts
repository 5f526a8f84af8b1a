/**
 * Jobs as a team submits them, and what Kueue and the scheduler made of them: the Workload (its
 * admission: ClusterQueue, flavors, usage; its conditions), the pods (node, tolerations, selector).
 * Reusable by other scenario suites.
 */
import { RESTRICTED_SECURITY_CONTEXT } from '../../cluster/platform-helpers';
import { KubeApi } from '../../cluster/api-client';
import { poll } from '../../cluster/platform-helpers';
import { COMPLETE_ANNOTATION } from './gpu-nodes';

export const QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';
export const PRIORITY_LABEL = 'kueue.x-k8s.io/priority-class';

export interface JobOptions {
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  /** LocalQueue name; omitted: no queue label. */
  readonly queue?: string;
  /** WorkloadPriorityClass name. */
  readonly priorityClass?: string;
  /** Per pod, e.g. { 'nvidia.com/gpu': '2' }; cpu/memory defaults are small. */
  readonly gpus?: Readonly<Record<string, string>>;
  readonly cpu?: string;
  readonly memory?: string;
  /** Pods that run at once (and must all be ready). @default 1 */
  readonly parallelism?: number;
  /** Pods complete once running (see COMPLETE_ANNOTATION). @default false: they hold their resources */
  readonly completes?: boolean;
  readonly serviceAccountName?: string;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly tolerations?: readonly Readonly<Record<string, string>>[];
  /** At most one pod of the Job per node (required anti-affinity on the job-name label), as distributed trainers ask. */
  readonly onePodPerNode?: boolean;
  readonly labels?: Readonly<Record<string, string>>;
}

export function jobManifest(o: JobOptions): Record<string, unknown> {
  const parallelism = o.parallelism ?? 1;
  const limits = { cpu: o.cpu ?? '500m', memory: o.memory ?? '1Gi', ...(o.gpus ?? {}) };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: o.name,
      namespace: o.namespace,
      labels: { ...(o.labels ?? {}), ...(o.queue === undefined ? {} : { [QUEUE_LABEL]: o.queue }), ...(o.priorityClass === undefined ? {} : { [PRIORITY_LABEL]: o.priorityClass }) },
    },
    spec: {
      parallelism,
      completions: parallelism,
      backoffLimit: 0,
      template: {
        metadata: { labels: { 'ml.platform/test': 'kueue' }, ...(o.completes === true ? { annotations: { [COMPLETE_ANNOTATION]: 'true' } } : {}) },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: o.serviceAccountName ?? 'workload',
          automountServiceAccountToken: false,
          ...(o.nodeSelector === undefined ? {} : { nodeSelector: { ...o.nodeSelector } }),
          ...(o.tolerations === undefined ? {} : { tolerations: o.tolerations.map((t) => ({ ...t })) }),
          ...(o.onePodPerNode === true
            ? { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { 'batch.kubernetes.io/job-name': o.name } }, topologyKey: 'kubernetes.io/hostname' }] } } }
            : {}),
          containers: [{ name: 'main', image: o.image, securityContext: RESTRICTED_SECURITY_CONTEXT, resources: { requests: { ...limits }, limits } }],
        },
      },
    },
  };
}

/** One replicated Job of a JobSet: `replicas` Jobs of `parallelism` pods, each pod asking for `gpus`. */
export interface ReplicatedJobOptions {
  readonly name: string;
  /** @default 1 */
  readonly replicas?: number;
  /** @default 1 */
  readonly parallelism?: number;
  readonly gpus?: Readonly<Record<string, string>>;
}

export interface JobSetOptions {
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  /** LocalQueue name; omitted: no queue label. */
  readonly queue?: string;
  readonly replicatedJobs: readonly ReplicatedJobOptions[];
  readonly nodeSelector?: Readonly<Record<string, string>>;
}

/** A JobSet (jobset.x-k8s.io/v1alpha2) as a distributed trainer is written: one pod template per replicated Job. */
export function jobSetManifest(o: JobSetOptions): Record<string, unknown> {
  return {
    apiVersion: 'jobset.x-k8s.io/v1alpha2',
    kind: 'JobSet',
    metadata: { name: o.name, namespace: o.namespace, labels: o.queue === undefined ? {} : { [QUEUE_LABEL]: o.queue } },
    spec: {
      replicatedJobs: o.replicatedJobs.map((r) => {
        // The pod template of a Job with the same options, as jobManifest writes it.
        const job = jobManifest({ name: `${o.name}-${r.name}`, namespace: o.namespace, image: o.image, gpus: r.gpus, parallelism: r.parallelism, nodeSelector: o.nodeSelector }) as { spec: Record<string, unknown> };
        return { name: r.name, replicas: r.replicas ?? 1, template: { spec: job.spec } };
      }),
    },
  };
}

export interface LiveJobSet {
  readonly spec: { readonly suspend?: boolean };
}

export async function createJobSet(api: KubeApi, jobSet: Record<string, unknown>): Promise<CreateOutcome> {
  const ns = (jobSet.metadata as { namespace: string }).namespace;
  const res = await api.request('POST', `/apis/jobset.x-k8s.io/v1alpha2/namespaces/${ns}/jobsets`, jobSet);
  return { status: res.status, message: res.status === 201 ? 'created' : ((JSON.parse(res.body) as { message?: string }).message ?? res.body) };
}

export const getJobSet = (api: KubeApi, namespace: string, name: string): Promise<LiveJobSet> => api.json<LiveJobSet>('GET', `/apis/jobset.x-k8s.io/v1alpha2/namespaces/${namespace}/jobsets/${name}`);

export async function deleteJobSet(api: KubeApi, namespace: string, name: string): Promise<void> {
  await api.request('DELETE', `/apis/jobset.x-k8s.io/v1alpha2/namespaces/${namespace}/jobsets/${name}`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
}

/** The Workload Kueue created for an owner of the given kind (JobSet, TrainJob...), if any. */
export async function workloadOfOwner(api: KubeApi, namespace: string, kind: string, name: string): Promise<Workload | undefined> {
  const list = await api.json<{ items: Workload[] }>('GET', `/apis/kueue.x-k8s.io/v1beta2/namespaces/${namespace}/workloads`);
  return list.items.find((w) => w.metadata.ownerReferences?.some((r) => r.kind === kind && r.name === name));
}

export interface CreateOutcome {
  readonly status: number;
  readonly message: string;
}

export async function createJob(api: KubeApi, job: Record<string, unknown>): Promise<CreateOutcome> {
  const ns = (job.metadata as { namespace: string }).namespace;
  const res = await api.request('POST', `/apis/batch/v1/namespaces/${ns}/jobs`, job);
  return { status: res.status, message: res.status === 201 ? 'created' : ((JSON.parse(res.body) as { message?: string }).message ?? res.body) };
}

/** Delete a Job and its pods (foreground is not needed: the tests wait on what they measure). */
export async function deleteJob(api: KubeApi, namespace: string, name: string): Promise<void> {
  await api.request('DELETE', `/apis/batch/v1/namespaces/${namespace}/jobs/${name}`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
}

export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
}

export interface Workload {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly creationTimestamp: string; readonly ownerReferences?: readonly { readonly kind: string; readonly name: string }[] };
  readonly spec: {
    readonly queueName?: string;
    /** v1beta2: the priority class as a reference (v1beta1's priorityClassName is gone). */
    readonly priorityClassRef?: { readonly group: string; readonly kind: string; readonly name: string };
    readonly priority?: number;
    readonly active?: boolean;
  };
  readonly status?: {
    readonly conditions?: readonly Condition[];
    readonly admission?: {
      readonly clusterQueue: string;
      readonly podSetAssignments: readonly { readonly name: string; readonly flavors?: Readonly<Record<string, string>>; readonly resourceUsage?: Readonly<Record<string, string>>; readonly count?: number }[];
    };
    readonly requeueState?: { readonly count?: number };
    /** MultiKueue: the worker cluster whose copy was admitted. */
    readonly clusterName?: string;
    /** Evictions so far, by reason (kept across requeues, unlike the Evicted condition). */
    readonly schedulingStats?: { readonly evictions?: readonly { readonly reason: string; readonly underlyingCause?: string; readonly count: number }[] };
  };
}

export const condition = (w: Workload | undefined, type: string): Condition | undefined => w?.status?.conditions?.find((c) => c.type === type);
export const isTrue = (w: Workload | undefined, type: string): boolean => condition(w, type)?.status === 'True';

/** The Workload Kueue created for a Job (owner reference), if any. */
export async function workloadOfJob(api: KubeApi, namespace: string, job: string): Promise<Workload | undefined> {
  const list = await api.json<{ items: Workload[] }>('GET', `/apis/kueue.x-k8s.io/v1beta2/namespaces/${namespace}/workloads`);
  return list.items.find((w) => w.metadata.ownerReferences?.some((r) => r.kind === 'Job' && r.name === job));
}

export async function waitForWorkload(api: KubeApi, namespace: string, job: string, what: string, test: (w: Workload) => boolean, timeoutMs = 60000): Promise<Workload> {
  return poll(`${namespace}/${job}: ${what}`, async () => {
    const w = await workloadOfJob(api, namespace, job);
    return w !== undefined && test(w) ? w : undefined;
  }, timeoutMs, 250);
}

export interface JobPod {
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec: { readonly nodeName?: string; readonly nodeSelector?: Readonly<Record<string, string>>; readonly tolerations?: readonly { readonly key?: string; readonly operator?: string; readonly effect?: string }[] };
  readonly status: { readonly phase?: string };
}

export async function podsOfJob(api: KubeApi, namespace: string, job: string): Promise<JobPod[]> {
  const list = await api.json<{ items: JobPod[] }>('GET', `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(`batch.kubernetes.io/job-name=${job}`)}`);
  return list.items;
}

export interface LiveJob {
  readonly spec: { readonly suspend?: boolean };
  readonly status?: { readonly active?: number; readonly succeeded?: number; readonly conditions?: readonly Condition[] };
}

export const getJob = (api: KubeApi, namespace: string, name: string): Promise<LiveJob> => api.json<LiveJob>('GET', `/apis/batch/v1/namespaces/${namespace}/jobs/${name}`);

/** Admitted ClusterQueue usage per flavor/resource (status.flavorsUsage), e.g. { 'a100/nvidia.com/gpu': '8' }. */
export async function clusterQueueUsage(api: KubeApi, name: string): Promise<Record<string, string>> {
  const cq = await api.json<{ status?: { flavorsUsage?: readonly { name: string; resources: readonly { name: string; total: string; borrowed?: string }[] }[] } }>('GET', `/apis/kueue.x-k8s.io/v1beta2/clusterqueues/${name}`);
  const out: Record<string, string> = {};
  for (const f of cq.status?.flavorsUsage ?? []) for (const r of f.resources) out[`${f.name}/${r.name}`] = r.total;
  return out;
}

/** Polls the ClusterQueue usage until `key` reaches `want` (status is written in batches); the last value seen. */
export async function usageOnceSettled(api: KubeApi, clusterQueue: string, key: string, want: string, timeoutMs = 30000): Promise<string> {
  let last = '(none)';
  try {
    return await poll(`${clusterQueue} usage ${key} = ${want}`, async () => {
      last = (await clusterQueueUsage(api, clusterQueue))[key] ?? '(none)';
      return last === want ? last : undefined;
    }, timeoutMs, 500);
  } catch {
    return last;
  }
}
