import { z } from 'zod';

/**
 * The LLM services a team runs (KServe LLMInferenceService). Field-level rules here; the rules that
 * relate a service to the pools and the team's quotas are in cross-checks.ts (checkLlmServices).
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Where KServe's storage initializer can fetch a model: object store, Hugging Face, a PVC, an OCI model image. */
const MODEL_URI = /^(s3|gs|hf|pvc|oci|https):\/\/[^\s]+$/;

export const llmServiceSchema = z.strictObject({
  /** Service name: the LLMInferenceService and its route path `/<team>/<name>`. At most 40 characters (KServe derives child names from it). */
  name: z.string().max(40).regex(DNS_LABEL, { message: 'must be a DNS-1123 label of at most 40 characters' }),
  /** Model name clients send in the OpenAI `model` field. @default the service name */
  modelName: z.string().min(1).max(253).optional(),
  /** Model source: s3://, gs://, hf://, pvc://, oci:// or https:// (e.g. "s3://models/llama-3.1-8b"). */
  modelUri: z.string().regex(MODEL_URI, { message: 'must be a model URI with scheme s3, gs, hf, pvc, oci or https, e.g. "s3://models/llama-3.1-8b-instruct"' }),
  /** GPU pool of the primary cluster the model servers run on (a pool name of clusters[].gpuPools). */
  pool: z.string().min(1),
  /** GPUs (in the pool's unit: GPUs, MIG slices or time-sliced shares) per model-server pod; vLLM's tensor parallel size. */
  gpusPerReplica: z.int().min(1).max(16),
  /** Pods per replica: 1 = single-node (a Deployment); more = multi-node over a LeaderWorkerSet (pipeline parallel). @default 1 */
  nodesPerReplica: z.int().min(1).max(64).default(1),
  /** CPUs of each model-server pod (requests = limits; Kueue and the namespace quota count them). @default 4 */
  cpu: z.number().positive().max(256).default(4),
  /** Host memory of each model-server pod in GiB (vLLM loads the weights through it; requests = limits). @default 32 */
  memoryGiB: z.int().min(1).max(4096).default(32),
  /** Replicas always running (0 = scale to zero is NOT offered: see README "Serving LLMs"). @default 1 */
  minReplicas: z.int().min(1).max(100).default(1),
  /** Replicas at most; the quota is checked against this many. @default minReplicas */
  maxReplicas: z.int().min(1).max(100).optional(),
});

/**
 * What the platform preset's endpoint picker (one per service, its tokenizer sidecar included)
 * requests in the serving namespace besides the model servers: constructs/serving/llm-runtime-preset.ts
 * renders exactly this (tested there), the spec check counts it against quotas.serving.
 */
export const ENDPOINT_PICKER_REQUESTS = { cpuMilli: 1256, memoryMiB: 2548 } as const;

export type LlmServiceSpec = z.output<typeof llmServiceSchema>;
