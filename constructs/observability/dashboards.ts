import { DashboardSpec, PanelSpec } from './dashboard';
import { ERROR_RATIO, LLM_ERROR_RATIO, METRIC } from './metric-catalogue';
import { bucket, promql } from './promql';

/** The platform's Grafana dashboards. Pure data: panels whose exporters a cluster lacks are dropped there. */

const M = METRIC;
const TAGS = ['ml-platform'];
const POOL = '{pool=~"$pool"}';
const TEAM = '{team=~"$team"}';
const NS = '{namespace=~"$namespace"}';

const timeseries = (title: string, unit: PanelSpec['unit'], targets: PanelSpec['targets'], width = 12): PanelSpec => ({ title, kind: 'timeseries', unit, targets, width });

export const GPU_FLEET: DashboardSpec = {
  uid: 'ml-gpu-fleet',
  title: 'ML platform / GPU fleet',
  description: 'GPU pools: utilisation, memory, capacity, allocated vs used, health.',
  tags: [...TAGS, 'gpu'],
  variables: [{ name: 'pool', label: 'Pool', metric: M.nodeLabels, labelName: 'label_ml_platform_pool' }],
  panels: [
    timeseries('GPU utilisation per pool', 'percent', [{ query: promql`${M.poolGpuUtil}${POOL}`, legend: '{{pool}}' }]),
    timeseries('GPU memory used per pool', 'percentunit', [{ query: promql`${M.poolGpuMemory}${POOL}`, legend: '{{pool}}' }]),
    timeseries('GPUs: capacity, allocated, used', 'short', [
      { query: promql`${M.poolGpuCapacity}${POOL}`, legend: '{{pool}} capacity' },
      { query: promql`${M.poolGpuAllocated}${POOL}`, legend: '{{pool}} allocated' },
      { query: promql`${M.poolGpuUsed}${POOL}`, legend: '{{pool}} used' },
    ], 24),
    timeseries('Allocated GPUs doing work', 'percentunit', [{ query: promql`${M.poolGpuUsed}${POOL} / (${M.poolGpuAllocated}${POOL} > 0)`, legend: '{{pool}}' }]),
    timeseries('Hottest GPU per node', 'celsius', [{ query: promql`max by (node) (${M.gpuTemp})`, legend: '{{node}}' }]),
    timeseries('Power draw per node', 'watt', [{ query: promql`sum by (node) (${M.gpuPower})`, legend: '{{node}}' }]),
    { title: 'XID errors in range', kind: 'table', unit: 'none', width: 12, targets: [{ query: promql`max by (node, gpu, modelName) (max_over_time(${M.gpuXid}[$__range])) > 0`, legend: '', instant: true }] },
  ],
};

export const TEAM_QUEUES: DashboardSpec = {
  uid: 'ml-team-queues',
  title: 'ML platform / Team queues',
  description: 'Kueue ClusterQueues (pending, admitted, quota use, wait) and namespace quotas.',
  tags: [...TAGS, 'kueue'],
  variables: [{ name: 'team', label: 'Team', metric: M.namespaceLabels, labelName: 'label_ml_platform_team' }],
  panels: [
    timeseries('Pending workloads', 'short', [{ query: promql`sum by (cluster_queue, status) (${M.kueuePending})`, legend: '{{cluster_queue}} {{status}}' }]),
    timeseries('Admitted, running workloads', 'short', [{ query: promql`sum by (cluster_queue) (${M.kueueAdmittedActive})`, legend: '{{cluster_queue}}' }]),
    timeseries('Quota used (of nominal)', 'percentunit', [
      { query: promql`sum by (cluster_queue, resource) (${M.kueueUsage}) / sum by (cluster_queue, resource) (${M.kueueNominal} > 0)`, legend: '{{cluster_queue}} {{resource}}' },
    ]),
    timeseries('Admission wait, p90', 's', [{ query: promql`histogram_quantile(0.9, sum by (cluster_queue, le) (rate(${bucket(M.kueueAdmissionWait)}[$__rate_interval])))`, legend: '{{cluster_queue}}' }]),
    timeseries('GPUs allocated vs used per team', 'short', [
      { query: promql`${M.teamGpuAllocated}${TEAM}`, legend: '{{team}} allocated' },
      { query: promql`${M.teamGpuUsed}${TEAM}`, legend: '{{team}} used' },
    ]),
    {
      title: 'Namespace quota used',
      kind: 'bargauge',
      unit: 'percentunit',
      width: 12,
      targets: [
        {
          query: promql`max by (namespace, resource) (${M.resourceQuota}{type="used"} / ignoring (type) (${M.resourceQuota}{type="hard"} > 0)) * on (namespace) group_left () max by (namespace) (${M.namespaceLabels}{label_ml_platform_team=~"$team"})`,
          legend: '{{namespace}} {{resource}}',
          instant: true,
        },
      ],
    },
  ],
};

export const MODEL_SERVING: DashboardSpec = {
  uid: 'ml-model-serving',
  title: 'ML platform / Model serving',
  description: 'KServe endpoints: throughput, errors, p95 latency, prediction drift.',
  tags: [...TAGS, 'kserve'],
  variables: [{ name: 'namespace', label: 'Namespace', metric: M.namespaceLabels, labelName: 'namespace' }],
  panels: [
    timeseries('Requests per second', 'reqps', [{ query: promql`${M.modelRequests}${NS}`, legend: '{{namespace}}/{{model}}' }]),
    timeseries('Error ratio (5xx), 5m', 'percentunit', [{ query: promql`${ERROR_RATIO['5m']}${NS}`, legend: '{{namespace}}/{{model}}' }]),
    timeseries('Latency p95', 's', [{ query: promql`${M.modelLatencyP95}${NS}`, legend: '{{namespace}}/{{model}}' }]),
    timeseries('Error ratio (5xx), 1h and 6h', 'percentunit', [
      { query: promql`${ERROR_RATIO['1h']}${NS}`, legend: '{{namespace}}/{{model}} 1h' },
      { query: promql`${ERROR_RATIO['6h']}${NS}`, legend: '{{namespace}}/{{model}} 6h' },
    ]),
    timeseries('Prediction drift score', 'none', [{ query: promql`${M.modelDrift}${NS}`, legend: '{{namespace}}/{{model}}' }]),
    timeseries('Predictions behind the drift score', 'short', [{ query: promql`${M.modelDriftSamples}${NS}`, legend: '{{namespace}}/{{model}}' }]),
  ],
};

export const LLM_SERVING: DashboardSpec = {
  uid: 'ml-llm-serving',
  title: 'ML platform / LLM serving',
  description: 'vLLM model servers of the LLMInferenceServices: time to first token, inter-token latency, queueing, KV cache, throughput and engine errors.',
  tags: [...TAGS, 'llm'],
  // Namespaces that run vLLM: the dashboard exists only where LLMs are served.
  variables: [{ name: 'namespace', label: 'Namespace', metric: M.vllmRunning, labelName: 'namespace' }],
  panels: [
    timeseries('Time to first token, p95', 's', [{ query: promql`${M.llmTtftP95}${NS}`, legend: '{{namespace}}/{{model}}' }]),
    timeseries('Inter-token latency, p95', 's', [{ query: promql`${M.llmItlP95}${NS}`, legend: '{{namespace}}/{{model}}' }]),
    timeseries('Queue time and end-to-end latency, p95', 's', [
      { query: promql`${M.llmQueueTimeP95}${NS}`, legend: '{{namespace}}/{{model}} queue' },
      { query: promql`${M.llmE2eP95}${NS}`, legend: '{{namespace}}/{{model}} end-to-end' },
    ]),
    timeseries('KV cache used per model server', 'percentunit', [{ query: promql`max by (namespace, pod, model_name) (${M.vllmKvCache}${NS})`, legend: '{{namespace}}/{{pod}}' }]),
    timeseries('Requests waiting and running', 'short', [
      { query: promql`sum by (namespace, model_name) (${M.vllmWaiting}${NS})`, legend: '{{namespace}}/{{model_name}} waiting' },
      { query: promql`sum by (namespace, model_name) (${M.vllmRunning}${NS})`, legend: '{{namespace}}/{{model_name}} running' },
    ]),
    timeseries('Finished requests per second', 'reqps', [{ query: promql`${M.llmRequests}${NS}`, legend: '{{namespace}}/{{model}}' }]),
    timeseries('Engine errors (share of finished requests), 5m and 1h', 'percentunit', [
      { query: promql`${LLM_ERROR_RATIO['5m']}${NS}`, legend: '{{namespace}}/{{model}} 5m' },
      { query: promql`${LLM_ERROR_RATIO['1h']}${NS}`, legend: '{{namespace}}/{{model}} 1h' },
    ]),
    timeseries('GPUs held by LLM model servers', 'short', [{ query: promql`${M.nsLlmGpuAllocated}${NS}`, legend: '{{namespace}}' }]),
  ],
};

export const GPU_COST: DashboardSpec = {
  uid: 'ml-gpu-cost',
  title: 'ML platform / GPU cost showback',
  description: 'GPU-hours allocated and used per team and namespace over the selected range; OpenCost GPU cost.',
  tags: [...TAGS, 'cost'],
  variables: [{ name: 'team', label: 'Team', metric: M.namespaceLabels, labelName: 'label_ml_platform_team' }],
  panels: [
    // Each hourly sample is the GPU-hours of that hour: summing one per hour gives the range's total.
    {
      title: 'GPU-hours per team (range)',
      kind: 'bargauge',
      unit: 'short',
      width: 12,
      targets: [
        { query: promql`sum_over_time(${M.teamGpuHoursAllocated}${TEAM}[$__range:1h])`, legend: '{{team}} allocated', instant: true },
        { query: promql`sum_over_time(${M.teamGpuHoursUsed}${TEAM}[$__range:1h])`, legend: '{{team}} used', instant: true },
      ],
    },
    {
      title: 'GPU-hours per namespace (range)',
      kind: 'table',
      unit: 'short',
      width: 12,
      targets: [
        { query: promql`sum_over_time(${M.nsGpuHoursAllocated}[$__range:1h])`, legend: 'allocated', instant: true },
        { query: promql`sum_over_time(${M.nsGpuHoursUsed}[$__range:1h])`, legend: 'used', instant: true },
      ],
    },
    {
      title: 'GPU-hours of LLM serving per team (range)',
      kind: 'bargauge',
      unit: 'short',
      width: 24,
      targets: [{ query: promql`sum_over_time(${M.teamLlmGpuHoursAllocated}${TEAM}[$__range:1h])`, legend: '{{team}}', instant: true }],
    },
    timeseries('GPU efficiency per team (used / allocated)', 'percentunit', [{ query: promql`${M.teamGpuUsed}${TEAM} / (${M.teamGpuAllocated}${TEAM} > 0)`, legend: '{{team}}' }], 24),
    timeseries('GPU cost per namespace, per hour (OpenCost)', 'currencyUSD', [
      { query: promql`sum by (namespace) (${M.containerGpuAllocation} * on (node) group_left () max by (node) (${M.nodeGpuHourlyCost}))`, legend: '{{namespace}}' },
    ], 24),
  ],
};

export const DASHBOARDS: readonly DashboardSpec[] = [GPU_FLEET, TEAM_QUEUES, MODEL_SERVING, LLM_SERVING, GPU_COST];
