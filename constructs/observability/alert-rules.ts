import { AlertThresholds } from '../../environments/observability-schema';
import { ERROR_RATIO, LLM_ERROR_RATIO, METRIC, MetricDefinition, SloWindow } from './metric-catalogue';
import { promql, Query } from './promql';

/** Alerts of the platform, built from the spec's thresholds. Pure data; PrometheusRule renders it. */
export type Severity = 'critical' | 'warning' | 'info';

export interface AlertRule {
  readonly alert: string;
  readonly query: Query;
  /** How long the condition must hold, e.g. "30m". */
  readonly for: string;
  readonly severity: Severity;
  /** One line for the notification title. */
  readonly summary: string;
  /** What fired, with template fields. */
  readonly description: string;
}

export interface AlertGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

const M = METRIC;
const training = promql`max by (namespace) (${M.namespaceLabels}{label_ml_platform_stage="training"})`;
const teamNamespaces = promql`max by (namespace) (${M.namespaceLabels}{label_ml_platform_team!=""})`;

type ErrorRatios = Readonly<Record<SloWindow, MetricDefinition>>;

/** Multi-window, multi-burn-rate condition: both windows burn faster than `rate` times the budget. */
function burning(long: SloWindow, short: SloWindow, rate: number, budget: number, ratios: ErrorRatios = ERROR_RATIO): Query {
  return promql`(${ratios[long]} > ${rate * budget} and ${ratios[short]} > ${rate * budget})`;
}

/** Budget gone in about 2 days (14.4x over 1h) or 5 days (6x over 6h): page. */
const fastBurn = (budget: number, ratios: ErrorRatios): Query => promql`${burning('1h', '5m', 14.4, budget, ratios)} or ${burning('6h', '30m', 6, budget, ratios)}`;
/** Budget gone within the 30-day window (3x over 1d, 1x over 3d): ticket. */
const slowBurn = (budget: number, ratios: ErrorRatios): Query => promql`${burning('1d', '2h', 3, budget, ratios)} or ${burning('3d', '6h', 1, budget, ratios)}`;

export function alertGroups(t: AlertThresholds): AlertGroup[] {
  // Error budget: the share of requests allowed to fail.
  const budget = 1 - t.servingAvailabilityPercent / 100;
  const llmBudget = 1 - t.llmAvailabilityPercent / 100;
  return [
    {
      name: 'ml-platform.gpu',
      rules: [
        {
          alert: 'GpuAllocatedButIdle',
          query: promql`avg by (node, gpu, namespace, pod) (avg_over_time(${M.gpuUtil}{pod!=""}[5m])) < ${t.gpuIdlePercent}`,
          for: `${t.gpuIdleMinutes}m`,
          severity: 'warning',
          summary: 'A GPU held by a pod has been idle',
          description: `GPU {{ $labels.gpu }} on {{ $labels.node }}, held by {{ $labels.namespace }}/{{ $labels.pod }}, has stayed below ${t.gpuIdlePercent}% utilisation for ${t.gpuIdleMinutes} minutes.`,
        },
        {
          alert: 'GpuMemoryNearFull',
          query: promql`${M.gpuFbUsed} / (${M.gpuFbUsed} + ${M.gpuFbFree}) * 100 > ${t.gpuMemoryFullPercent}`,
          for: '15m',
          severity: 'warning',
          summary: 'GPU memory is nearly full',
          description: `GPU {{ $labels.gpu }} on {{ $labels.node }} ({{ $labels.namespace }}/{{ $labels.pod }}) uses {{ $value | humanize }}% of its memory (threshold ${t.gpuMemoryFullPercent}%): the next allocation may fail with out-of-memory.`,
        },
        {
          alert: 'GpuXidError',
          // DCGM keeps reporting the last XID code until the exporter restarts: fire when the code
          // changes to a non-zero one, not for as long as an old one is shown.
          query: promql`max by (node, gpu, modelName) (${M.gpuXid}) > 0 and on (node, gpu, modelName) max by (node, gpu, modelName) (changes(${M.gpuXid}[10m])) > 0`,
          for: '0m',
          severity: 'warning',
          summary: 'A GPU reported an XID error',
          description: 'GPU {{ $labels.gpu }} ({{ $labels.modelName }}) on {{ $labels.node }} reported XID {{ $value }}. Hardware XIDs (48, 63, 64, 74, 79, 92, 94, 95) need the node drained.',
        },
        {
          alert: 'GpuTemperatureHigh',
          query: promql`max by (node, gpu) (${M.gpuTemp}) > ${t.gpuTemperatureCelsius}`,
          for: '10m',
          severity: 'warning',
          summary: 'A GPU is running hot',
          description: `GPU {{ $labels.gpu }} on {{ $labels.node }} is at {{ $value }} C (threshold ${t.gpuTemperatureCelsius} C); it will throttle clocks.`,
        },
      ],
    },
    {
      name: 'ml-platform.queues',
      rules: [
        {
          alert: 'KueueWorkloadsPendingTooLong',
          // Pending all through the window, not just now: an idle queue that gets a workload which
          // waits a few minutes for quota has admitted none for the window either.
          query: promql`sum by (cluster_queue) (${M.kueuePending}) > 0 and on (cluster_queue) min_over_time((sum by (cluster_queue) (${M.kueuePending}))[${t.queuePendingMinutes}m:1m]) > 0 unless on (cluster_queue) sum by (cluster_queue) (increase(${M.kueueAdmitted}[${t.queuePendingMinutes}m])) > 0`,
          for: '5m',
          severity: 'warning',
          summary: 'A ClusterQueue has pending workloads and admits none',
          description: `ClusterQueue {{ $labels.cluster_queue }} has {{ $value }} pending workloads, has had some pending for ${t.queuePendingMinutes} minutes and has admitted none.`,
        },
        {
          alert: 'KueueClusterQueueNearQuota',
          query: promql`sum by (cluster_queue, resource) (${M.kueueUsage}) / sum by (cluster_queue, resource) (${M.kueueNominal} > 0) * 100 > ${t.clusterQueueQuotaPercent}`,
          for: '30m',
          severity: 'info',
          summary: 'A ClusterQueue uses most of its nominal quota',
          description: `ClusterQueue {{ $labels.cluster_queue }} uses {{ $value | humanize }}% of its nominal {{ $labels.resource }} quota (threshold ${t.clusterQueueQuotaPercent}%): new workloads will borrow or wait.`,
        },
        {
          alert: 'NamespaceQuotaNearFull',
          query: promql`(${M.resourceQuota}{type="used"} / ignoring (type) (${M.resourceQuota}{type="hard"} > 0)) * 100 > ${t.namespaceQuotaPercent} and on (namespace) ${teamNamespaces}`,
          for: '15m',
          severity: 'warning',
          summary: 'A team namespace is close to its quota',
          description: `{{ $labels.namespace }} uses {{ $value | humanize }}% of its {{ $labels.resource }} quota (threshold ${t.namespaceQuotaPercent}%).`,
        },
      ],
    },
    {
      name: 'ml-platform.training',
      rules: [
        {
          alert: 'TrainingPodOomKilled',
          query: promql`(max by (namespace, pod, container) (${M.containerTerminatedReason}{reason="OOMKilled"}) == 1 or (max by (namespace, pod, container) (${M.containerLastTerminatedReason}{reason="OOMKilled"}) == 1 and on (namespace, pod, container) increase(${M.containerRestarts}[15m]) > 0)) and on (namespace) ${training}`,
          for: '0m',
          severity: 'warning',
          summary: 'A training container was killed for running out of memory',
          description: 'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} was OOMKilled: raise its memory limit or lower the batch size.',
        },
        {
          alert: 'TrainingPodCrashLooping',
          // kube-state-metrics reports the waiting reason only while the container waits: the series
          // vanishes for each restart's run, which would reset `for`. Bridge the runs (back-off caps at 5 min).
          query: promql`max by (namespace, pod, container) (max_over_time(${M.containerWaitingReason}{reason="CrashLoopBackOff"}[5m])) == 1 and on (namespace) ${training}`,
          for: '15m',
          severity: 'warning',
          summary: 'A training container is crash-looping',
          description: 'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} has been in CrashLoopBackOff for 15 minutes.',
        },
      ],
    },
    {
      name: 'ml-platform.serving',
      rules: [
        {
          alert: 'ModelLatencyP95High',
          query: promql`${M.modelLatencyP95} * 1000 > ${t.servingLatencyP95Ms}`,
          for: '10m',
          severity: 'warning',
          summary: 'Model p95 latency is above its objective',
          description: `{{ $labels.namespace }}/{{ $labels.model }} answers 5% of requests slower than {{ $value | humanize }} ms (objective ${t.servingLatencyP95Ms} ms).`,
        },
        {
          alert: 'ModelErrorBudgetFastBurn',
          query: fastBurn(budget, ERROR_RATIO),
          for: '2m',
          severity: 'critical',
          summary: 'A model endpoint is burning its error budget fast',
          description: `{{ $labels.namespace }}/{{ $labels.model }} fails {{ $value | humanizePercentage }} of requests; at this rate the ${t.servingAvailabilityPercent}% availability budget of 30 days is gone within days.`,
        },
        {
          alert: 'ModelErrorBudgetSlowBurn',
          query: slowBurn(budget, ERROR_RATIO),
          for: '15m',
          severity: 'warning',
          summary: 'A model endpoint is slowly burning its error budget',
          description: `{{ $labels.namespace }}/{{ $labels.model }} fails {{ $value | humanizePercentage }} of requests, more than the ${t.servingAvailabilityPercent}% availability objective allows over 30 days.`,
        },
        {
          alert: 'PredictionDrift',
          query: promql`${M.modelDrift} > ${t.driftScoreThreshold} and on (namespace, model) ${M.modelDriftSamples} >= ${t.driftMinSamples}`,
          for: '30m',
          severity: 'warning',
          summary: 'Live predictions drifted from the reference',
          description: `{{ $labels.namespace }}/{{ $labels.model }} has drift score {{ $value | humanize }} (threshold ${t.driftScoreThreshold}, at least ${t.driftMinSamples} predictions): check inputs and consider retraining.`,
        },
      ],
    },
    {
      // vLLM model servers of the teams' LLMInferenceServices: only clusters that serve LLMs scrape them.
      name: 'ml-platform.llm-serving',
      rules: [
        {
          alert: 'LlmTimeToFirstTokenP95High',
          query: promql`${M.llmTtftP95} > ${t.llmTtftP95Ms / 1000}`,
          for: '10m',
          severity: 'warning',
          summary: 'LLM time to first token is above its objective',
          description: `{{ $labels.namespace }}/{{ $labels.model }} takes longer than {{ $value | humanize }}s to the first token for 5% of requests (objective ${t.llmTtftP95Ms} ms).`,
        },
        {
          alert: 'LlmInterTokenLatencyP95High',
          query: promql`${M.llmItlP95} > ${t.llmItlP95Ms / 1000}`,
          for: '10m',
          severity: 'warning',
          summary: 'LLM inter-token latency is above its objective',
          description: `{{ $labels.namespace }}/{{ $labels.model }} takes longer than {{ $value | humanize }}s between two output tokens at the 95th percentile (objective ${t.llmItlP95Ms} ms).`,
        },
        {
          alert: 'LlmQueueTimeP95High',
          query: promql`${M.llmQueueTimeP95} > ${t.llmQueueTimeP95Ms / 1000}`,
          for: '10m',
          severity: 'warning',
          summary: 'LLM requests wait too long in the engine queue',
          description: `5% of the requests to {{ $labels.namespace }}/{{ $labels.model }} waited longer than {{ $value | humanize }}s in the vLLM queue before being scheduled (threshold ${t.llmQueueTimeP95Ms} ms): the replicas are saturated.`,
        },
        {
          alert: 'LlmKvCacheNearFull',
          query: promql`max by (namespace, pod, model_name) (${M.vllmKvCache}) * 100 > ${t.llmKvCacheFullPercent}`,
          for: '15m',
          severity: 'warning',
          summary: 'An LLM model server has almost no KV cache left',
          description: `{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.model_name }}) uses {{ $value | humanize }}% of its KV cache (threshold ${t.llmKvCacheFullPercent}%): vLLM preempts running requests and queues new ones.`,
        },
        {
          alert: 'LlmErrorBudgetFastBurn',
          query: fastBurn(llmBudget, LLM_ERROR_RATIO),
          for: '2m',
          severity: 'critical',
          summary: 'An LLM service is burning its error budget fast',
          description: `{{ $labels.namespace }}/{{ $labels.model }} ends {{ $value | humanizePercentage }} of requests in an engine error; at this rate the ${t.llmAvailabilityPercent}% availability budget of 30 days is gone within days.`,
        },
        {
          alert: 'LlmErrorBudgetSlowBurn',
          query: slowBurn(llmBudget, LLM_ERROR_RATIO),
          for: '15m',
          severity: 'warning',
          summary: 'An LLM service is slowly burning its error budget',
          description: `{{ $labels.namespace }}/{{ $labels.model }} ends {{ $value | humanizePercentage }} of requests in an engine error, more than the ${t.llmAvailabilityPercent}% availability objective allows over 30 days.`,
        },
      ],
    },
    {
      name: 'ml-platform.security',
      rules: [
        {
          alert: 'CriticalVulnerabilityInRunningImage',
          query: promql`sum by (namespace, resource_kind, resource_name, container_name, image_repository, image_tag) (${M.trivyVulnerabilities}{severity="Critical"}) > 0`,
          for: '15m',
          severity: 'warning',
          summary: 'A running image has critical vulnerabilities',
          description: '{{ $labels.image_repository }}:{{ $labels.image_tag }} in {{ $labels.namespace }}/{{ $labels.resource_kind }}/{{ $labels.resource_name }} has {{ $value }} critical vulnerabilities.',
        },
      ],
    },
    {
      name: 'ml-platform.notebooks',
      rules: [
        {
          // Idle = almost no CPU over the window and, when it holds a GPU, no GPU work either.
          alert: 'NotebookIdle',
          // Only pods older than the window: a notebook started an hour ago has not been idle for a day.
          query: promql`sum by (namespace, pod) (rate(${M.containerCpu}{container!=""}[${t.notebookIdleHours}h])) < 0.01 and on (namespace, pod) max by (namespace, pod) (${M.podLabels}{label_notebook_name!=""}) and on (namespace, pod) (time() - max by (namespace, pod) (${M.podCreated})) > ${t.notebookIdleHours * 3600} unless on (namespace, pod) max by (namespace, pod) (max_over_time(${M.gpuUtil}{pod!=""}[${t.notebookIdleHours}h])) > 1`,
          for: '1h',
          severity: 'info',
          summary: 'A notebook has been idle',
          description: `Notebook pod {{ $labels.namespace }}/{{ $labels.pod }} has done no work for ${t.notebookIdleHours} hours: stop it to free its CPU, memory and GPU quota.`,
        },
      ],
    },
    {
      name: 'ml-platform.targets',
      rules: [
        {
          alert: 'PlatformScrapeTargetDown',
          query: promql`${M.up}{ml_platform_target!=""} == 0`,
          for: '10m',
          severity: 'warning',
          summary: 'Prometheus cannot scrape a platform component',
          description: '{{ $labels.ml_platform_target }} target {{ $labels.namespace }}/{{ $labels.pod }} has failed its scrapes for 10 minutes: its alerts and dashboards are blind.',
        },
      ],
    },
  ];
}
