import { z } from 'zod';
import { GPU_MODEL_NAMES } from './gpu-models';
import { imagesSchema } from './images-schema';
import { kubeflowSchema } from './kubeflow-schema';
import { observabilitySchema } from './observability-schema';
import { llmServiceSchema } from './serving-schema';

/**
 * The shape of one environment. Field-level rules live here; rules that relate several fields
 * (unique names, quotas that fit the pools, a burst cluster needs a primary) are in cross-checks.ts.
 */

/** RFC 1123 label: what Kubernetes accepts for namespace and most object names. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsLabel = z.string().max(63).regex(DNS_LABEL, { message: 'must be a DNS-1123 label (lower case a-z, 0-9 and -, starting and ending alphanumeric)' });

/** Registry host[:port][/path], no scheme: it is written into image references as-is. */
const REGISTRY_ENDPOINT = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9._-]+)*$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d|[12]\d|3[0-2])$/;
/** Identity-provider group names: free text in most IdPs, but never empty or padded. */
const groupName = z.string().min(1).max(256).regex(/^\S(.*\S)?$/, { message: 'must not be empty or start/end with white space' });

/** The ML workflow, in order: each stage gets its own namespace per team. */
export const STAGES = ['data-prep', 'training', 'serving', 'monitoring'] as const;
export type Stage = (typeof STAGES)[number];

export const PROVIDERS = ['onprem', 'aws', 'azure', 'gcp', 'local'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const COMPONENTS = [
  'certManager',
  'nodeFeatureDiscovery',
  'gpuOperator',
  'kueue',
  'kubePrometheusStack',
  'dcgmExporter',
  'trivyOperator',
  'openCost',
  'harbor',
  'imageSignatures',
  'kubeflow',
  'draDriver',
  'llmServing',
] as const;
export type ComponentName = (typeof COMPONENTS)[number];

/** How a pool's devices reach pods: the device plugin's extended resources, or DRA claims. */
export const GPU_ALLOCATION_MODES = ['extended-resources', 'dra'] as const;
export type GpuAllocationMode = (typeof GPU_ALLOCATION_MODES)[number];

export const gpuPoolSchema = z.strictObject({
  /** Pool name: the value of the `ml.platform/pool` node label workloads select. */
  name: dnsLabel,
  /** Whether nodes may be created for this pool; a disabled pool keeps its definition. */
  enabled: z.boolean().default(true),
  gpuModel: z.enum(GPU_MODEL_NAMES),
  gpusPerNode: z.int().min(1).max(16),
  minNodes: z.int().min(0).max(1000),
  maxNodes: z.int().min(0).max(1000),
  /** static = hardware you own (on-prem, local); the others are cloud purchase options. */
  capacityType: z.enum(['static', 'on-demand', 'spot', 'reserved']),
  sharing: z.enum(['none', 'time-slicing', 'mig']).default('none'),
  /**
   * How pods get the pool's devices: `extended-resources` (the device plugin, `nvidia.com/gpu`) or
   * `dra` (Dynamic Resource Allocation: ResourceClaims from the pool's ResourceClaimTemplate, the
   * NVIDIA DRA driver publishes the devices; Kubernetes 1.34+). @default 'extended-resources'
   */
  gpuAllocation: z.enum(GPU_ALLOCATION_MODES).default('extended-resources'),
  /** Time-slicing only: how many pods share one GPU. */
  timeSlicingReplicas: z.int().optional(),
  /** MIG only: the profile every GPU of the pool is partitioned into, e.g. 3g.40gb. */
  migProfile: z.string().optional(),
  /** On-prem only: static nodes, or machines managed by Cluster API. */
  managedBy: z.enum(['static', 'cluster-api']).default('static'),
  /**
   * Static on-prem/local pools: regular expression over node names that belong to the pool
   * (Node Feature Discovery labels and taints those nodes), e.g. "^gpu-a100-[0-9]+$".
   */
  nodeNamePattern: z.string().min(1).optional(),
  /** Cluster API pools: the machine templates the MachineDeployment stamps out. */
  clusterApi: z
    .strictObject({
      /** Namespace of the Cluster API Cluster object in the management cluster. */
      namespace: dnsLabel,
      infrastructureRef: z.strictObject({ apiGroup: z.string().min(1), kind: z.string().min(1), name: dnsLabel }),
      bootstrapConfigRef: z.strictObject({ apiGroup: z.string().min(1), kind: z.string().min(1), name: dnsLabel }),
    })
    .optional(),
});

export const clusterSchema = z.strictObject({
  name: dnsLabel,
  provider: z.enum(PROVIDERS),
  /** primary runs every stage and dispatches; burst clusters take overflow training work. */
  role: z.enum(['primary', 'burst']),
  /** Kubernetes minor version, e.g. "1.34": pins Pod Security Admission policy versions. */
  kubernetesVersion: z.string().regex(/^1\.(2[89]|3[0-9])$/, { message: 'must be a supported Kubernetes minor version 1.28..1.39, e.g. "1.34"' }),
  /** Cloud region or on-prem site; informational, used in labels. */
  region: dnsLabel.optional(),
  registry: z.strictObject({
    /** Registry every image of this cluster is pulled from (host[:port][/path]). */
    endpoint: z.string().regex(REGISTRY_ENDPOINT, { message: 'must be host[:port][/path] without a scheme, e.g. "registry.example.com/ml"' }),
    /** Name of an existing docker-registry Secret in each workload namespace; never inline. */
    pullSecretName: dnsLabel.optional(),
  }),
  /** Stages this cluster runs; defaults to all stages on a primary and training on a burst cluster. */
  stages: z.array(z.enum(STAGES)).optional(),
  gpuPools: z.array(gpuPoolSchema).default([]),
});

export const stageQuotaSchema = z.strictObject({
  /** CPU cores requested at most (limits may go to 2x). */
  cpu: z.int().min(1).max(100000),
  memoryGiB: z.int().min(1).max(1000000),
  /** Whole GPUs (`nvidia.com/gpu`) from dedicated or MIG pools. */
  gpu: z.int().min(0).max(10000).default(0),
  /** Time-sliced GPU shares (`nvidia.com/gpu.shared`). */
  sharedGpu: z.int().min(0).max(100000).default(0),
  storageGiB: z.int().min(0).max(10000000),
  maxPods: z.int().min(1).max(10000),
});

export const teamSchema = z.strictObject({
  name: dnsLabel,
  costCenter: z.string().regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, { message: 'must be a valid label value (alphanumeric, - _ ., at most 63 characters)' }),
  /** Identity-provider groups per persona. */
  groups: z.strictObject({
    mlEngineers: z.array(groupName).min(1),
    dataScientists: z.array(groupName).default([]),
    viewers: z.array(groupName).default([]),
  }),
  /** Quota per workflow stage: every stage of the environment needs one. */
  quotas: z.partialRecord(z.enum(STAGES), stageQuotaSchema),
  /**
   * Kueue nominal quota per GPU pool (by pool name), in the pool's unit: GPUs, MIG slices or
   * time-sliced shares. Pools on the primary feed the team's local queue, burst pools its burst queue.
   */
  poolQuotas: z.record(z.string(), z.int().min(0).max(100000)).default({}),
  /** How the team's queues share idle quota in the cohort. */
  queueing: z
    .strictObject({
      /** Share of nominal quota the team may borrow on top, in percent. @default 100 */
      borrowingLimitPercent: z.int().min(0).max(1000).default(100),
      /** Share of nominal quota the team lends to others when idle, in percent. @default 50 */
      lendingLimitPercent: z.int().min(0).max(100).default(50),
      /** Fair-sharing weight against the other teams. @default 1 */
      fairShareWeight: z.int().min(1).max(100).default(1),
    })
    .default({ borrowingLimitPercent: 100, lendingLimitPercent: 50, fairShareWeight: 1 }),
  /** LLM services the team serves on the primary cluster (environments/serving-schema.ts). @default none */
  llmServices: z.array(llmServiceSchema).default([]),
});

export const platformSpecSchema = z.strictObject({
  /** Environment name: dev, staging, prod, ... */
  name: dnsLabel,
  /** Groups bound to the platform-admin ClusterRole on every cluster. */
  platformAdmins: z.array(groupName).min(1),
  /** Workflow stages this environment runs, in workflow order. */
  stages: z.array(z.enum(STAGES)).min(1).default([...STAGES]),
  clusters: z.array(clusterSchema).min(1),
  teams: z.array(teamSchema).min(1),
  /** Add-ons to install; each defaults to on. */
  components: z.strictObject(
    Object.fromEntries(COMPONENTS.map((c) => [c, z.boolean().default(true)])) as Record<ComponentName, z.ZodDefault<z.ZodBoolean>>,
  ).default(Object.fromEntries(COMPONENTS.map((c) => [c, true])) as Record<ComponentName, boolean>),
  /** The Kubeflow install (primary cluster), when components.kubeflow is on. */
  kubeflow: kubeflowSchema.default({ components: ['dashboard', 'notebooks', 'pipelines', 'trainer', 'katib', 'kserve', 'model-registry'], notebookIdleMinutes: 60 }),
  /** Trusted images, signatures, scanning and mirroring. */
  images: imagesSchema.default({ extraTrustedRegistries: [], requireDigest: false, mirror: false, signed: [], rescanIntervalHours: 24 }),
  network: z
    .strictObject({
      /** CIDRs of object storage / data lakes that data-prep and training may reach on 443. */
      objectStoreCidrs: z.array(z.string().regex(CIDR, { message: 'must be an IPv4 CIDR such as 10.20.0.0/16' })).default([]),
      /**
       * Ports the observability namespace may scrape in workload namespaces: model servers (8080),
       * Knative queue-proxy autoscaling (9090) and request metrics (9091).
       */
      metricsPorts: z.array(z.int().min(1).max(65535)).min(1).default([8080, 9090, 9091]),
    })
    .default({ objectStoreCidrs: [], metricsPorts: [8080, 9090, 9091] }),
  /** How the primary dispatches to the burst clusters (MultiKueue); unused without burst clusters. */
  burst: z
    .strictObject({
      /**
       * Minutes a job admitted on a burst cluster that the primary cannot reach stays there before
       * the primary takes it back and dispatches it again (Kueue's `multiKueue.workerLostTimeout`).
       * Long enough to ride out a control-plane upgrade or failover without running the job twice;
       * short enough that a revoked or deleted burst cluster does not hold the team's burst quota
       * for long (Kueue's own default is 15). @default 5
       */
      workerLostTimeoutMinutes: z.int().min(1).max(1440).default(5),
    })
    .default({ workerLostTimeoutMinutes: 5 }),
  /** Prometheus retention and storage, alert thresholds (environments/observability-schema.ts). */
  observability: observabilitySchema,
});

/** A spec as written in environments/*.ts (defaults optional). */
export type PlatformSpecInput = z.input<typeof platformSpecSchema>;
/** A validated spec with every default filled in. */
export type PlatformSpec = z.output<typeof platformSpecSchema>;
export type ClusterSpec = PlatformSpec['clusters'][number];
export type GpuPoolSpec = ClusterSpec['gpuPools'][number];
export type TeamSpec = PlatformSpec['teams'][number];
export type StageQuota = z.output<typeof stageQuotaSchema>;
