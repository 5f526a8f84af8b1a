import { ERROR_RATIO, METRIC, MetricDefinition, SLO_WINDOWS } from './metric-catalogue';
import { bucket, promql, Query } from './promql';

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

export const RECORDING_GROUPS: readonly RecordingGroup[] = [
  {
    name: 'ml-platform.gpu-allocation',
    rules: [
      rule(M.nsGpuAllocated, promql`sum by (namespace) (${runningGpuRequests})`),
      rule(M.nsGpuUsed, promql`sum by (namespace) (${M.gpuUtil}{namespace!=""}) / 100`),
      rule(M.teamGpuAllocated, promql`sum by (team) (${withTeam(promql`${M.nsGpuAllocated}`)})`),
      rule(M.teamGpuUsed, promql`sum by (team) (${withTeam(promql`${M.nsGpuUsed}`)})`),
      // The mean number of GPUs over an hour is the GPU-hours of that hour.
      rule(M.nsGpuHoursAllocated, promql`avg_over_time(${M.nsGpuAllocated}[1h])`),
      rule(M.nsGpuHoursUsed, promql`avg_over_time(${M.nsGpuUsed}[1h])`),
      rule(M.teamGpuHoursAllocated, promql`avg_over_time(${M.teamGpuAllocated}[1h])`),
      rule(M.teamGpuHoursUsed, promql`avg_over_time(${M.teamGpuUsed}[1h])`),
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
];
