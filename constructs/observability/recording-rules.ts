import { ERROR_RATIO, LLM_ERROR_RATIO, METRIC, MetricDefinition, SLO_WINDOWS } from './metric-catalogue';
import { bucket, promql, Query } from './promql';
import { LLM_WORKLOAD_POD } from './scrape-targets';

/**
 * Recording rules: GPU allocation and use per namespace, team and pool (showback and the fleet
 * dashboard), and the serving series the SLO alerts read. Pure data.
 */
export interface RecordingRule {
  /** The recorded series (a catalogue entry of source 'recording-rule'). */
  readonly record: MetricDefinition;
  /**
   * Ways to compute it, joined with `or`. Alternatives whose exporters a cluster lacks are left
   * out; the rule is left out when none remains.
   */
  readonly queries: readonly Query[];
}

export interface RecordingGroup {
  readonly name: string;
  readonly rules: readonly RecordingRule[];
}

const M = METRIC;
const GPU = 'resource="nvidia_com_gpu"';

/** GPUs requested by containers of running pods (pending pods hold no GPU). */
const runningGpuRequests = promql`${M.podResourceRequests}{${GPU}} * on (namespace, pod) group_left () max by (namespace, pod) (${M.podPhase}{phase="Running"})`;

/** Adds `team` from the namespace's ml.platform/team label (kube-state-metrics allowlist). */
const withTeam = (q: Query): Query =>
  promql`label_replace(${q} * on (namespace) group_left (label_ml_platform_team) max by (namespace, label_ml_platform_team) (${M.namespaceLabels}{label_ml_platform_team!=""}), "team", "$1", "label_ml_platform_team", "(.+)")`;

/** Adds `pool` from the node's ml.platform/pool label; `node` comes from the DCGM scrape relabelling or kube-state-metrics. */
const withPool = (q: Query): Query =>
  promql`label_replace(${q} * on (node) group_left (label_ml_platform_pool) max by (node, label_ml_platform_pool) (${M.nodeLabels}{label_ml_platform_pool!=""}), "pool", "$1", "label_ml_platform_pool", "(.+)")`;

/** KServe names a serverless predictor's Knative service `<isvc>-predictor`; its name becomes `model`. */
const MODEL_FROM_SERVICE = '"model", "$1", "service_name", "(.+)-predictor(-default)?"';
const byModel = (q: Query): Query => promql`sum by (namespace, model) (label_replace(${q}, ${MODEL_FROM_SERVICE}))`;

const rule = (record: MetricDefinition, ...queries: Query[]): RecordingRule => ({ record, queries });

/** vLLM labels its series with the served model name (the LLMInferenceService's model name); it becomes `model`. */
const byLlmModel = (q: Query): Query => promql`label_replace(${q}, "model", "$1", "model_name", "(.+)")`;
/** p95 of a vLLM histogram per namespace and model over 5 minutes, all replicas (and data-parallel engines) together. */
const llmP95 = (h: MetricDefinition): Query => promql`histogram_quantile(0.95, sum by (namespace, model, le) (${byLlmModel(promql`rate(${bucket(h)}[5m])`)}))`;
const llmFinished = (w: string, reason = ''): Query => promql`sum by (namespace, model) (${byLlmModel(promql`rate(${M.vllmSuccess}${reason}[${w}])`)})`;

/**
 * Pods of an LLMInferenceService's model servers (leader and workers), from the labels its
 * controller sets (scrape-targets.ts LLM_WORKLOAD_POD, allowlisted for kube-state-metrics): the
 * router's endpoint picker runs in the same namespace and holds no GPU, a KServe predictor in the
 * same serving namespace is no LLM service.
 */
const ksmLabel = (k: string) => `label_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`;
const LLM_WORKLOAD_SELECTOR = Object.entries(LLM_WORKLOAD_POD).map(([k, v]) => `${ksmLabel(k)}="${v}"`).join(', ');
const llmWorkloadPods = promql`max by (namespace, pod) (${M.podLabels}{${LLM_WORKLOAD_SELECTOR}})`;

/** How often the recording rules run (the PrometheusRule groups' interval), minutes. */
export const RECORDING_INTERVAL_MINUTES = 1;

/**
 * GPU-hours of the last hour: every sample of the recorded GPU count stands for one evaluation
 * interval, and a missing sample (the namespace's pods finished, its GPUs went back to the pool)
 * held no GPU. `avg_over_time` would average only the minutes the series existed, so a job that
 * held 2 GPUs for 20 minutes and finished would be billed 2 GPU-hours instead of 0.67.
 */
const gpuHours = (perInterval: MetricDefinition): Query => promql`sum_over_time(${perInterval}[1h]) / ${60 / RECORDING_INTERVAL_MINUTES}`;

export const RECORDING_GROUPS: readonly RecordingGroup[] = [
  {
    name: 'ml-platform.gpu-allocation',
    rules: [
      rule(M.nsGpuAllocated, promql`sum by (namespace) (${runningGpuRequests})`),
      rule(M.nsGpuUsed, promql`sum by (namespace) (${M.gpuUtil}{namespace!=""}) / 100`),
      rule(M.teamGpuAllocated, promql`sum by (team) (${withTeam(promql`${M.nsGpuAllocated}`)})`),
      rule(M.teamGpuUsed, promql`sum by (team) (${withTeam(promql`${M.nsGpuUsed}`)})`),
      rule(M.nsGpuHoursAllocated, gpuHours(M.nsGpuAllocated)),
      rule(M.nsGpuHoursUsed, gpuHours(M.nsGpuUsed)),
      rule(M.teamGpuHoursAllocated, gpuHours(M.teamGpuAllocated)),
      rule(M.teamGpuHoursUsed, gpuHours(M.teamGpuUsed)),
    ],
  },
  {
    name: 'ml-platform.gpu-pools',
    rules: [
      rule(M.poolGpuUtil, promql`avg by (pool) (${withPool(promql`${M.gpuUtil}`)})`),
      rule(M.poolGpuMemory, promql`sum by (pool) (${withPool(promql`${M.gpuFbUsed}`)}) / sum by (pool) (${withPool(promql`(${M.gpuFbUsed} + ${M.gpuFbFree})`)})`),
      rule(M.poolGpuCapacity, promql`sum by (pool) (${withPool(promql`${M.nodeAllocatable}{${GPU}}`)})`),
      rule(M.poolGpuAllocated, promql`sum by (pool) (${withPool(promql`sum by (node) (${M.podResourceRequests}{${GPU}} * on (namespace, pod) group_left () max by (namespace, pod) (${M.podPhase}{phase="Running"}))`)})`),
      rule(M.poolGpuUsed, promql`sum by (pool) (${withPool(promql`${M.gpuUtil}`)}) / 100`),
    ],
  },
  {
    name: 'ml-platform.serving',
    rules: [
      rule(M.modelRequests, byModel(promql`rate(${M.knRequests}[5m])`)),
      // Knative reports milliseconds; raw-deployment KServe model servers report seconds.
      rule(
        M.modelLatencyP95,
        promql`histogram_quantile(0.95, sum by (namespace, model, le) (label_replace(rate(${bucket(M.knLatency)}[5m]), ${MODEL_FROM_SERVICE}))) / 1000`,
        promql`histogram_quantile(0.95, sum by (namespace, model, le) (label_replace(rate(${bucket(M.kservePredictLatency)}[5m]), "model", "$1", "model_name", "(.+)")))`,
      ),
      ...SLO_WINDOWS.map((w) =>
        rule(ERROR_RATIO[w], promql`${byModel(promql`rate(${M.knRequests}{response_code_class="5xx"}[${w}])`)} / ${byModel(promql`rate(${M.knRequests}[${w}])`)}`),
      ),
      rule(M.modelDrift, promql`max by (namespace, model) (${M.driftScore})`),
      rule(M.modelDriftSamples, promql`sum by (namespace, model) (${M.driftSamples})`),
    ],
  },
  {
    // Shared by the LLM alerts and the LLM serving dashboard.
    name: 'ml-platform.llm-serving',
    rules: [
      rule(M.llmTtftP95, llmP95(M.vllmTtft)),
      rule(M.llmItlP95, llmP95(M.vllmItl)),
      rule(M.llmQueueTimeP95, llmP95(M.vllmQueueTime)),
      rule(M.llmE2eP95, llmP95(M.vllmE2eLatency)),
      rule(M.llmRequests, llmFinished('5m')),
      // An engine error is answered with a 500; requests the client aborted are not the service's failures.
      ...SLO_WINDOWS.map((w) => rule(LLM_ERROR_RATIO[w], promql`${llmFinished(w, '{finished_reason="error"}')} / ${llmFinished(w)}`)),
    ],
  },
  {
    // GPU showback of LLM serving: the GPUs the model servers hold, whether or not they get traffic.
    name: 'ml-platform.llm-showback',
    rules: [
      rule(M.nsLlmGpuAllocated, promql`sum by (namespace) (${runningGpuRequests} * on (namespace, pod) group_left () ${llmWorkloadPods})`),
      rule(M.teamLlmGpuAllocated, promql`sum by (team) (${withTeam(promql`${M.nsLlmGpuAllocated}`)})`),
      rule(M.teamLlmGpuHoursAllocated, gpuHours(M.teamLlmGpuAllocated)),
    ],
  },
];
