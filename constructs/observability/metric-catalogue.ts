/**
 * Every metric a platform alert, recording rule or dashboard reads, with the exporter that provides
 * it. Rules and panels can only name metrics through this table (see promql.ts), and the tests check
 * that whatever ends up in the synthesized output is provided on that cluster by a scraped exporter
 * or by a recording rule. Names and labels are upstream facts; the `ref` says where each was read.
 */

/** Exporters (and the rule evaluator) metrics come from. */
export const METRIC_SOURCES = {
  'kube-state-metrics': { builtIn: true, what: 'kube-state-metrics, installed and scraped by kube-prometheus-stack' },
  kubelet: { builtIn: true, what: 'kubelet cAdvisor endpoint, scraped by kube-prometheus-stack' },
  prometheus: { builtIn: true, what: 'series Prometheus itself writes for every target (up)' },
  'dcgm-exporter': { builtIn: false, what: 'NVIDIA DCGM exporter DaemonSet on GPU nodes' },
  kueue: { builtIn: false, what: 'Kueue controller manager' },
  'trivy-operator': { builtIn: false, what: 'Trivy Operator vulnerability report metrics' },
  opencost: { builtIn: false, what: 'OpenCost cost model' },
  'knative-queue-proxy': { builtIn: false, what: 'Knative queue-proxy sidecar of KServe serverless predictors (user metrics port)' },
  'kserve-model-server': { builtIn: false, what: 'KServe Python model server /metrics on the predictor HTTP port' },
  vllm: { builtIn: false, what: 'vLLM model servers of the teams\' LLMInferenceServices (/metrics on the OpenAI port)' },
  'endpoint-picker': { builtIn: false, what: 'Gateway API Inference Extension endpoint picker (llm-d inference scheduler) of each LLMInferenceService' },
  'prediction-drift': { builtIn: false, what: 'the platform drift metric contract (README, Observability), exposed by a serving runtime or a drift detector' },
  'recording-rule': { builtIn: false, what: 'a recording rule of this platform (recording-rules.ts)' },
} as const;
export type MetricSource = keyof typeof METRIC_SOURCES;

export interface MetricDefinition {
  readonly name: string;
  readonly type: 'gauge' | 'counter' | 'histogram';
  readonly source: MetricSource;
  /** Labels queries may rely on (after the platform's scrape relabelling). */
  readonly labels: readonly string[];
  readonly help: string;
  /** Where the name and labels were taken from. */
  readonly ref: string;
}

const DCGM_LABELS = ['gpu', 'UUID', 'device', 'modelName', 'Hostname', 'node', 'namespace', 'pod', 'container'];
const DCGM_REF = 'NVIDIA/dcgm-exporter etc/default-counters.csv; pod mapping labels with honorLabels';
const KSM_REF = 'kubernetes/kube-state-metrics docs/metrics';
const KUEUE_REF = 'kubernetes-sigs/kueue v0.19 pkg/metrics/metrics.go';
const CQ_RESOURCES = 'needs metrics.enableClusterQueueResources: true in the Kueue configuration';
const VLLM_REF = 'vllm-project/vllm docs design/metrics.md (V1 engine), vllm/v1/metrics/loggers.py';
/** vLLM's FinishReason: "error" is a request-level engine error, which the API server always answers with 500. */
const VLLM_FINISH_REASONS = 'stop, length, abort (by the client), error (engine error, answered 500), repetition';
const EPP_REF = 'kubernetes-sigs/gateway-api-inference-extension site-src/guides/metrics-and-observability.md';

const m = (name: string, type: MetricDefinition['type'], source: MetricSource, labels: readonly string[], help: string, ref: string): MetricDefinition => ({ name, type, source, labels, help, ref });
/** A series written by one of this platform's recording rules (level:metric:operation naming). */
const recorded = (name: string, labels: readonly string[], help: string): MetricDefinition => m(name, 'gauge', 'recording-rule', labels, help, 'constructs/observability/recording-rules.ts');

export const METRIC = {
  // NVIDIA DCGM exporter
  gpuUtil: m('DCGM_FI_DEV_GPU_UTIL', 'gauge', 'dcgm-exporter', DCGM_LABELS, 'GPU utilisation, percent', DCGM_REF),
  gpuFbUsed: m('DCGM_FI_DEV_FB_USED', 'gauge', 'dcgm-exporter', DCGM_LABELS, 'framebuffer memory used, MiB', DCGM_REF),
  gpuFbFree: m('DCGM_FI_DEV_FB_FREE', 'gauge', 'dcgm-exporter', DCGM_LABELS, 'framebuffer memory free, MiB', DCGM_REF),
  gpuXid: m('DCGM_FI_DEV_XID_ERRORS', 'gauge', 'dcgm-exporter', DCGM_LABELS, 'code of the last XID error (0 = none)', DCGM_REF),
  gpuTemp: m('DCGM_FI_DEV_GPU_TEMP', 'gauge', 'dcgm-exporter', DCGM_LABELS, 'GPU temperature, degrees C', DCGM_REF),
  gpuPower: m('DCGM_FI_DEV_POWER_USAGE', 'gauge', 'dcgm-exporter', DCGM_LABELS, 'power draw, W', DCGM_REF),

  // kube-state-metrics (label_* series need the allowlist in kube-prometheus-stack values)
  podResourceRequests: m('kube_pod_container_resource_requests', 'gauge', 'kube-state-metrics', ['namespace', 'pod', 'container', 'node', 'resource', 'unit'], 'requests per container; nvidia.com/gpu appears as resource="nvidia_com_gpu"', KSM_REF),
  podPhase: m('kube_pod_status_phase', 'gauge', 'kube-state-metrics', ['namespace', 'pod', 'phase'], '1 for the pod current phase', KSM_REF),
  namespaceLabels: m('kube_namespace_labels', 'gauge', 'kube-state-metrics', ['namespace', 'label_ml_platform_team', 'label_ml_platform_stage', 'label_ml_platform_cost_center'], 'allowlisted namespace labels', KSM_REF),
  nodeLabels: m('kube_node_labels', 'gauge', 'kube-state-metrics', ['node', 'label_ml_platform_pool'], 'allowlisted node labels', KSM_REF),
  podLabels: m('kube_pod_labels', 'gauge', 'kube-state-metrics', ['namespace', 'pod', 'label_notebook_name', 'label_app_kubernetes_io_part_of', 'label_kserve_io_component'], 'allowlisted pod labels (notebook-name is set by the Kubeflow notebook controller; app.kubernetes.io/part-of and kserve.io/component by the LLMInferenceService controller)', KSM_REF),
  nodeAllocatable: m('kube_node_status_allocatable', 'gauge', 'kube-state-metrics', ['node', 'resource', 'unit'], 'allocatable resources per node', KSM_REF),
  resourceQuota: m('kube_resourcequota', 'gauge', 'kube-state-metrics', ['namespace', 'resourcequota', 'resource', 'type'], 'ResourceQuota hard and used per resource', KSM_REF),
  containerTerminatedReason: m('kube_pod_container_status_terminated_reason', 'gauge', 'kube-state-metrics', ['namespace', 'pod', 'container', 'reason'], 'why a container is terminated now', KSM_REF),
  containerLastTerminatedReason: m('kube_pod_container_status_last_terminated_reason', 'gauge', 'kube-state-metrics', ['namespace', 'pod', 'container', 'reason'], 'why a container last terminated', KSM_REF),
  containerWaitingReason: m('kube_pod_container_status_waiting_reason', 'gauge', 'kube-state-metrics', ['namespace', 'pod', 'container', 'reason'], 'why a container is waiting', KSM_REF),
  containerRestarts: m('kube_pod_container_status_restarts_total', 'counter', 'kube-state-metrics', ['namespace', 'pod', 'container'], 'container restarts', KSM_REF),
  podCreated: m('kube_pod_created', 'gauge', 'kube-state-metrics', ['namespace', 'pod'], 'Unix creation timestamp of the pod', KSM_REF),

  // kubelet cAdvisor
  containerCpu: m('container_cpu_usage_seconds_total', 'counter', 'kubelet', ['namespace', 'pod', 'container', 'node'], 'CPU seconds used', 'google/cadvisor docs/storage/prometheus.md'),

  // Prometheus
  up: m('up', 'gauge', 'prometheus', ['job', 'namespace', 'service', 'pod', 'ml_platform_target'], '1 when the last scrape of a target succeeded', 'Prometheus docs: jobs and instances'),

  // Kueue
  kueuePending: m('kueue_pending_workloads', 'gauge', 'kueue', ['cluster_queue', 'status'], 'pending workloads per ClusterQueue, status active or inadmissible', KUEUE_REF),
  kueueAdmitted: m('kueue_admitted_workloads_total', 'counter', 'kueue', ['cluster_queue'], 'workloads admitted per ClusterQueue', KUEUE_REF),
  kueueAdmittedActive: m('kueue_admitted_active_workloads', 'gauge', 'kueue', ['cluster_queue'], 'admitted workloads not finished', KUEUE_REF),
  kueueAdmissionWait: m('kueue_admission_wait_time_seconds', 'histogram', 'kueue', ['cluster_queue'], 'time from creation or requeue to admission', KUEUE_REF),
  kueueUsage: m('kueue_cluster_queue_resource_usage', 'gauge', 'kueue', ['cohort', 'cluster_queue', 'flavor', 'resource'], `resource usage per ClusterQueue and flavor; ${CQ_RESOURCES}`, KUEUE_REF),
  kueueNominal: m('kueue_cluster_queue_nominal_quota', 'gauge', 'kueue', ['cohort', 'cluster_queue', 'flavor', 'resource'], `nominal quota per ClusterQueue and flavor; ${CQ_RESOURCES}`, KUEUE_REF),

  // Trivy Operator
  trivyVulnerabilities: m('trivy_image_vulnerabilities', 'gauge', 'trivy-operator', ['namespace', 'resource_kind', 'resource_name', 'container_name', 'image_repository', 'image_tag', 'severity'], 'vulnerabilities per workload image and severity (Critical, High, ...)', 'aquasecurity/trivy-operator docs tutorials/integrations/metrics'),

  // OpenCost
  nodeGpuHourlyCost: m('node_gpu_hourly_cost', 'gauge', 'opencost', ['node', 'instance_type'], 'hourly cost of one GPU on the node', 'opencost.io docs integrations/metrics'),
  containerGpuAllocation: m('container_gpu_allocation', 'gauge', 'opencost', ['namespace', 'pod', 'container', 'node'], 'GPUs allocated to a container', 'opencost.io docs integrations/metrics'),

  // Knative queue-proxy (KServe serverless)
  knRequests: m('revision_request_count', 'counter', 'knative-queue-proxy', ['namespace', 'namespace_name', 'service_name', 'revision_name', 'response_code', 'response_code_class'], 'requests through the queue-proxy', 'knative.dev docs serving/services/service-metrics'),
  knLatency: m('revision_request_latencies', 'histogram', 'knative-queue-proxy', ['namespace', 'namespace_name', 'service_name', 'revision_name', 'response_code_class'], 'request latency in milliseconds', 'knative.dev docs serving/services/service-metrics'),

  // KServe Python model server
  kservePredictLatency: m('request_predict_seconds', 'histogram', 'kserve-model-server', ['namespace', 'pod', 'model_name'], 'predict latency in seconds', 'kserve/kserve python/kserve/kserve/metrics.py'),

  // vLLM (the 0.19 line llm-d-cuda v0.8.0 ships; V1 engine metric names)
  vllmTtft: m('vllm:time_to_first_token_seconds', 'histogram', 'vllm', ['namespace', 'pod', 'model_name'], 'time from request arrival to the first output token', VLLM_REF),
  vllmItl: m('vllm:inter_token_latency_seconds', 'histogram', 'vllm', ['namespace', 'pod', 'model_name'], 'time between two output tokens of a request', VLLM_REF),
  vllmKvCache: m('vllm:kv_cache_usage_perc', 'gauge', 'vllm', ['namespace', 'pod', 'model_name'], 'fraction of KV-cache blocks in use, 0 to 1', VLLM_REF),
  vllmWaiting: m('vllm:num_requests_waiting', 'gauge', 'vllm', ['namespace', 'pod', 'model_name'], 'requests queued in the engine, not yet scheduled', VLLM_REF),
  vllmRunning: m('vllm:num_requests_running', 'gauge', 'vllm', ['namespace', 'pod', 'model_name'], 'requests being processed', VLLM_REF),
  vllmQueueTime: m('vllm:request_queue_time_seconds', 'histogram', 'vllm', ['namespace', 'pod', 'model_name'], 'time a request spent waiting in the engine queue', VLLM_REF),
  vllmE2eLatency: m('vllm:e2e_request_latency_seconds', 'histogram', 'vllm', ['namespace', 'pod', 'model_name'], 'end-to-end latency of finished requests', VLLM_REF),
  vllmSuccess: m('vllm:request_success_total', 'counter', 'vllm', ['namespace', 'pod', 'model_name', 'finished_reason'], `finished requests per finish reason: ${VLLM_FINISH_REASONS}`, `${VLLM_REF}; vllm/v1/engine/__init__.py FINISH_REASON_STRINGS, FinishReason`),
  vllmGenerationTokens: m('vllm:generation_tokens_total', 'counter', 'vllm', ['namespace', 'pod', 'model_name'], 'output tokens generated', VLLM_REF),

  // Endpoint picker (Gateway API Inference Extension)
  eppRequests: m('inference_objective_request_total', 'counter', 'endpoint-picker', ['namespace', 'model_name', 'target_model_name'], 'requests the endpoint picker routed', EPP_REF),
  eppErrors: m('inference_objective_request_error_total', 'counter', 'endpoint-picker', ['namespace', 'model_name', 'target_model_name', 'error_code'], 'requests the endpoint picker could not route or that failed', EPP_REF),

  // The platform drift contract
  driftScore: m('ml_prediction_drift_score', 'gauge', 'prediction-drift', ['namespace', 'model', 'feature'], 'distance between live and reference distributions; 0 = same', 'README, Observability: prediction drift contract'),
  driftSamples: m('ml_prediction_drift_samples', 'gauge', 'prediction-drift', ['namespace', 'model'], 'predictions in the window the score was computed over', 'README, Observability: prediction drift contract'),

  // Recording rules of this platform
  nsGpuAllocated: recorded('namespace:gpu_allocated:sum', ['namespace'], 'whole GPUs requested by running pods'),
  nsGpuUsed: recorded('namespace:gpu_used:sum', ['namespace'], 'GPU-equivalents busy (sum of utilisation / 100)'),
  teamGpuAllocated: recorded('team:gpu_allocated:sum', ['team'], 'whole GPUs requested by running pods of the team'),
  teamGpuUsed: recorded('team:gpu_used:sum', ['team'], 'GPU-equivalents busy in the team namespaces'),
  nsGpuHoursAllocated: recorded('namespace:gpu_hours_allocated:1h', ['namespace'], 'GPU-hours allocated during the last hour'),
  nsGpuHoursUsed: recorded('namespace:gpu_hours_used:1h', ['namespace'], 'GPU-hours used during the last hour'),
  teamGpuHoursAllocated: recorded('team:gpu_hours_allocated:1h', ['team'], 'GPU-hours allocated during the last hour'),
  teamGpuHoursUsed: recorded('team:gpu_hours_used:1h', ['team'], 'GPU-hours used during the last hour'),
  poolGpuUtil: recorded('pool:gpu_utilisation:avg', ['pool'], 'mean GPU utilisation per pool, percent'),
  poolGpuMemory: recorded('pool:gpu_memory_used:ratio', ['pool'], 'framebuffer used / total per pool'),
  poolGpuCapacity: recorded('pool:gpu_capacity:sum', ['pool'], 'allocatable whole GPUs per pool'),
  poolGpuAllocated: recorded('pool:gpu_allocated:sum', ['pool'], 'whole GPUs requested by running pods per pool'),
  poolGpuUsed: recorded('pool:gpu_used:sum', ['pool'], 'GPU-equivalents busy per pool'),
  modelRequests: recorded('namespace_model:serving_requests:rate5m', ['namespace', 'model'], 'requests per second'),
  modelLatencyP95: recorded('namespace_model:serving_latency_seconds:p95_5m', ['namespace', 'model'], '95th percentile latency, seconds'),
  modelDrift: recorded('namespace_model:prediction_drift_score:max', ['namespace', 'model'], 'worst drift score over the model features'),
  modelDriftSamples: recorded('namespace_model:prediction_drift_samples:sum', ['namespace', 'model'], 'predictions behind the drift score'),
  llmTtftP95: recorded('namespace_model:llm_ttft_seconds:p95_5m', ['namespace', 'model'], '95th percentile time to first token of an LLM service, seconds'),
  llmItlP95: recorded('namespace_model:llm_itl_seconds:p95_5m', ['namespace', 'model'], '95th percentile inter-token latency, seconds'),
  llmQueueTimeP95: recorded('namespace_model:llm_queue_time_seconds:p95_5m', ['namespace', 'model'], '95th percentile time in the engine queue, seconds'),
  llmE2eP95: recorded('namespace_model:llm_e2e_latency_seconds:p95_5m', ['namespace', 'model'], '95th percentile end-to-end request latency, seconds'),
  llmRequests: recorded('namespace_model:llm_requests:rate5m', ['namespace', 'model'], 'finished LLM requests per second'),
  nsLlmGpuAllocated: recorded('namespace:llm_gpu_allocated:sum', ['namespace'], 'whole GPUs requested by running LLM model-server pods'),
  teamLlmGpuAllocated: recorded('team:llm_gpu_allocated:sum', ['team'], 'whole GPUs requested by running LLM model-server pods of the team'),
  teamLlmGpuHoursAllocated: recorded('team:llm_gpu_hours_allocated:1h', ['team'], 'GPU-hours LLM serving held during the last hour'),
} as const satisfies Record<string, MetricDefinition>;

/** Error-ratio windows of the multi-window, multi-burn-rate SLO alerts (Google SRE workbook, ch. 5). */
export const SLO_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
export type SloWindow = (typeof SLO_WINDOWS)[number];

/** `namespace_model:serving_error_ratio:rate<window>` for each SLO window. */
export const ERROR_RATIO: Readonly<Record<SloWindow, MetricDefinition>> = Object.fromEntries(
  SLO_WINDOWS.map((w) => [w, recorded(`namespace_model:serving_error_ratio:rate${w}`, ['namespace', 'model'], `share of 5xx responses over ${w}`)]),
) as Record<SloWindow, MetricDefinition>;

/** `namespace_model:llm_error_ratio:rate<window>`: share of finished vLLM requests that ended in an engine error. */
export const LLM_ERROR_RATIO: Readonly<Record<SloWindow, MetricDefinition>> = Object.fromEntries(
  SLO_WINDOWS.map((w) => [w, recorded(`namespace_model:llm_error_ratio:rate${w}`, ['namespace', 'model'], `share of finished LLM requests with finished_reason "error" over ${w}`)]),
) as Record<SloWindow, MetricDefinition>;

/** The whole catalogue: exporter metrics and recorded series. */
export const METRIC_CATALOGUE: readonly MetricDefinition[] = [...Object.values(METRIC), ...Object.values(ERROR_RATIO), ...Object.values(LLM_ERROR_RATIO)];

/** Catalogue entry of a series name (histogram series resolve to their histogram). */
export function catalogueEntry(series: string): MetricDefinition | undefined {
  return METRIC_CATALOGUE.find((d) => d.name === series || (d.type === 'histogram' && ['_bucket', '_count', '_sum'].some((s) => `${d.name}${s}` === series)));
}
