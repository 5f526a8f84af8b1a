import { z } from 'zod';

/**
 * The `observability` section of a PlatformSpec: how long and where Prometheus keeps data, and the
 * thresholds of the platform alerts. Everything has a default, so the section may be left out.
 */

/** StorageClass names are DNS-1123 subdomains. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const percent = (dflt: number) => z.number().min(1).max(100).default(dflt);
/** An availability objective: at least 90%, and below 100% so an error budget is left to burn. */
const availability = (dflt: number) =>
  z
    .number()
    .min(90)
    .refine((v) => v < 100, { message: 'must be below 100: a 100% objective leaves no error budget to burn' })
    .default(dflt);

export const alertThresholdsSchema = z
  .strictObject({
    /** A GPU held by a pod counts as idle below this utilisation, percent. */
    gpuIdlePercent: percent(10),
    /** ... for this long before GpuAllocatedButIdle fires. */
    gpuIdleMinutes: z.int().min(5).max(1440).default(30),
    /** Framebuffer memory used, percent of total, for GpuMemoryNearFull. */
    gpuMemoryFullPercent: percent(95),
    /** GPU temperature, degrees C, for GpuTemperatureHigh (data-centre GPUs slow down from about 85). */
    gpuTemperatureCelsius: z.int().min(50).max(110).default(85),
    /** Minutes a ClusterQueue may hold pending workloads without admitting any. */
    queuePendingMinutes: z.int().min(5).max(10080).default(60),
    /** ClusterQueue usage, percent of nominal quota, for KueueClusterQueueNearQuota. */
    clusterQueueQuotaPercent: percent(90),
    /** Namespace ResourceQuota usage, percent of hard, for NamespaceQuotaNearFull. */
    namespaceQuotaPercent: percent(90),
    /** p95 latency objective of model endpoints, milliseconds. */
    servingLatencyP95Ms: z.int().min(1).max(600000).default(500),
    /** Availability objective of model endpoints, percent of requests without a 5xx. */
    servingAvailabilityPercent: availability(99.5),
    /** Drift score (see the drift metric contract) above which PredictionDrift fires. */
    driftScoreThreshold: z.number().gt(0).max(100).default(0.2),
    /** Fewest predictions behind a drift score before it is trusted. */
    driftMinSamples: z.int().min(1).max(100000000).default(500),
    /** Hours without CPU or GPU activity before a notebook counts as idle. */
    notebookIdleHours: z.int().min(1).max(720).default(24),
    /** p95 time to first token objective of LLM services (vLLM), milliseconds, for LlmTimeToFirstTokenP95High. */
    llmTtftP95Ms: z.int().min(1).max(600000).default(2000),
    /** p95 inter-token latency objective of LLM services, milliseconds (100 ms = 10 tokens/s per stream), for LlmInterTokenLatencyP95High. */
    llmItlP95Ms: z.int().min(1).max(60000).default(100),
    /** p95 time requests wait in the vLLM engine queue before they are scheduled, milliseconds, for LlmQueueTimeP95High. */
    llmQueueTimeP95Ms: z.int().min(1).max(600000).default(1000),
    /** KV-cache blocks in use, percent, for LlmKvCacheNearFull (vLLM preempts requests when it runs out). */
    llmKvCacheFullPercent: percent(90),
    /** Availability objective of LLM services, percent of finished requests that did not end in an engine error. */
    llmAvailabilityPercent: availability(99.5),
  })
  .prefault({});

export const observabilitySchema = z
  .strictObject({
    /** Days Prometheus keeps samples. */
    retentionDays: z.int().min(1).max(3650).default(15),
    /** Size of the Prometheus volume, GiB. */
    prometheusStorageGiB: z.int().min(5).max(100000).default(50),
    /** StorageClass of the Prometheus volume; absent = the cluster default class. */
    storageClass: z.string().max(253).regex(DNS_SUBDOMAIN, { message: 'must be a StorageClass name (DNS-1123 subdomain, e.g. "fast-ssd")' }).optional(),
    /** Base of every alert's runbook_url; `#<alert>` is appended. Relative means inside this repository. */
    runbookBaseUrl: z.string().min(1).default('docs/runbooks.md'),
    alerts: alertThresholdsSchema,
  })
  .prefault({});

export type ObservabilitySpec = z.output<typeof observabilitySchema>;
export type AlertThresholds = ObservabilitySpec['alerts'];
