import { Testing } from 'cdk8s';
import { Observability } from '../../../constructs/observability/observability';
import { planObservability } from '../../../constructs/observability/observability-plan';
import { ObservedCluster } from '../../../constructs/observability/scrape-targets';
import { kubePrometheusStackValues, openCostValues } from '../../../constructs/observability/stack-values';
import { ComponentName, COMPONENTS, loadEnvironment, parseSpec } from '../../../environments';
import { dev } from '../../../environments/dev';
import { renderEnvironment } from '../../../stacks/manifests';
import { testChart } from '../../support/test-chart';

const obs = loadEnvironment('dev').observability;
const allOn = Object.fromEntries(COMPONENTS.map((c) => [c, true])) as Record<ComponentName, boolean>;
const primary: ObservedCluster = {
  components: allOn,
  role: 'primary',
  stages: ['data-prep', 'training', 'serving', 'monitoring'],
  workflowNamespaces: [
    { namespace: 'nlp-training', stage: 'training' },
    { namespace: 'nlp-serving', stage: 'serving' },
    { namespace: 'nlp-monitoring', stage: 'monitoring' },
  ],
  metricsPorts: [8080, 9090, 9091],
  gitops: true,
};
const llm: ObservedCluster = { ...primary, llmNamespaces: ['nlp-serving'] };
const burst: ObservedCluster = { ...primary, role: 'burst', stages: ['training'], workflowNamespaces: [{ namespace: 'nlp-training', stage: 'training' }] };
const alertNames = (c: ObservedCluster) => planObservability(c, obs).alertGroups.flatMap((g) => g.rules.map((r) => r.alert));

function synth(cluster: ObservedCluster) {
  const chart = testChart();
  new Observability(chart, 'o', { cluster, spec: obs, namespace: 'monitoring' });
  return Testing.synth(chart) as { kind: string; metadata: { name: string; namespace: string } }[];
}

describe('Observability', () => {
  it('puts monitors, rules and dashboards in the observability namespace', () => {
    const objs = synth(primary);
    expect(new Set(objs.map((o) => o.metadata.namespace))).toEqual(new Set(['monitoring']));
    expect(objs.filter((o) => o.kind === 'PrometheusRule').map((o) => o.metadata.name)).toEqual(['ml-platform-recording-rules', 'ml-platform-alerts']);
    expect(objs.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name)).toEqual(['dashboard-ml-gpu-fleet', 'dashboard-ml-team-queues', 'dashboard-ml-model-serving', 'dashboard-ml-gpu-cost']);
  });

  it('has every alert of the issue on a primary cluster', () => {
    expect(alertNames(primary)).toEqual([
      'GpuAllocatedButIdle', 'GpuMemoryNearFull', 'GpuXidError', 'GpuTemperatureHigh',
      'KueueWorkloadsPendingTooLong', 'KueueClusterQueueNearQuota', 'NamespaceQuotaNearFull',
      'TrainingPodOomKilled', 'TrainingPodCrashLooping',
      'ModelLatencyP95High', 'ModelErrorBudgetFastBurn', 'ModelErrorBudgetSlowBurn', 'PredictionDrift',
      'CriticalVulnerabilityInRunningImage', 'NotebookIdle', 'PlatformScrapeTargetDown',
    ]);
  });

  it('adds the LLM alerts, their recording rules and the LLM dashboard only where LLMs are served', () => {
    const LLM_ALERTS = ['LlmTimeToFirstTokenP95High', 'LlmInterTokenLatencyP95High', 'LlmQueueTimeP95High', 'LlmKvCacheNearFull', 'LlmErrorBudgetFastBurn', 'LlmErrorBudgetSlowBurn'];
    const withLlm = planObservability(llm, obs);
    expect(withLlm.alertGroups.find((g) => g.name === 'ml-platform.llm-serving')!.rules.map((r) => r.alert)).toEqual(LLM_ALERTS);
    expect(withLlm.dashboards.map((d) => d.uid)).toContain('ml-llm-serving');
    expect(withLlm.recordingGroups.find((g) => g.name === 'ml-platform.llm-serving')!.rules.map((r) => r.record.name)).toEqual(
      expect.arrayContaining(['namespace_model:llm_ttft_seconds:p95_5m', 'namespace_model:llm_itl_seconds:p95_5m', 'namespace_model:llm_queue_time_seconds:p95_5m', 'namespace_model:llm_error_ratio:rate1h']),
    );
    const without = planObservability(primary, obs);
    expect(without.omittedAlerts).toEqual(LLM_ALERTS);
    expect(without.dashboards.map((d) => d.uid)).not.toContain('ml-llm-serving');
    expect(without.recordingGroups.map((g) => g.name)).not.toContain('ml-platform.llm-serving');
    // Showback reads kube-state-metrics only: a cluster without LLMs records zero serving GPUs rather than nothing.
    expect(without.recordingGroups.map((g) => g.name)).toContain('ml-platform.llm-showback');
  });

  it('builds the LLM alerts from the spec thresholds', () => {
    const t = { ...obs.alerts, llmTtftP95Ms: 1500, llmItlP95Ms: 80, llmQueueTimeP95Ms: 400, llmKvCacheFullPercent: 85, llmAvailabilityPercent: 99.9 };
    const rules = planObservability(llm, { ...obs, alerts: t }).alertGroups.flatMap((g) => g.rules);
    const expr = (a: string) => rules.find((r) => r.alert === a)!.query.expr;
    expect(expr('LlmTimeToFirstTokenP95High')).toBe('namespace_model:llm_ttft_seconds:p95_5m > 1.5');
    expect(expr('LlmInterTokenLatencyP95High')).toBe('namespace_model:llm_itl_seconds:p95_5m > 0.08');
    expect(expr('LlmQueueTimeP95High')).toBe('namespace_model:llm_queue_time_seconds:p95_5m > 0.4');
    expect(expr('LlmKvCacheNearFull')).toBe('max by (namespace, pod, model_name) (vllm:kv_cache_usage_perc) * 100 > 85');
    expect(expr('LlmErrorBudgetFastBurn')).toBe(
      '(namespace_model:llm_error_ratio:rate1h > 0.0144 and namespace_model:llm_error_ratio:rate5m > 0.0144) or (namespace_model:llm_error_ratio:rate6h > 0.006 and namespace_model:llm_error_ratio:rate30m > 0.006)',
    );
    expect(expr('LlmErrorBudgetSlowBurn')).toBe(
      '(namespace_model:llm_error_ratio:rate1d > 0.003 and namespace_model:llm_error_ratio:rate2h > 0.003) or (namespace_model:llm_error_ratio:rate3d > 0.001 and namespace_model:llm_error_ratio:rate6h > 0.001)',
    );
    // The model endpoints keep their own objective.
    expect(expr('ModelErrorBudgetFastBurn')).toMatch(/serving_error_ratio:rate1h > 0\.072 /);
  });

  it('counts only the LLM model-server pods for serving GPU showback, and counts their error ratio from engine errors', () => {
    const rules = planObservability(llm, obs).recordingGroups.flatMap((g) => g.rules);
    const expr = (name: string) => rules.find((r) => r.record.name === name)!.queries[0].expr;
    expect(expr('namespace:llm_gpu_allocated:sum')).toMatch(/kube_pod_labels\{label_app_kubernetes_io_part_of="llminferenceservice", label_kserve_io_component="workload"\}/);
    expect(expr('namespace:llm_gpu_allocated:sum')).toMatch(/phase="Running"/);
    expect(expr('team:llm_gpu_hours_allocated:1h')).toBe('sum_over_time(team:llm_gpu_allocated:sum[1h]) / 60');
    expect(expr('namespace_model:llm_error_ratio:rate5m')).toBe(
      'sum by (namespace, model) (label_replace(rate(vllm:request_success_total{finished_reason="error"}[5m]), "model", "$1", "model_name", "(.+)")) / sum by (namespace, model) (label_replace(rate(vllm:request_success_total[5m]), "model", "$1", "model_name", "(.+)"))',
    );
  });

  it('leaves out what a cluster cannot compute, and says so', () => {
    const plan = planObservability(burst, obs);
    expect(plan.omittedAlerts).toEqual([
      'ModelLatencyP95High', 'ModelErrorBudgetFastBurn', 'ModelErrorBudgetSlowBurn', 'PredictionDrift',
      'LlmTimeToFirstTokenP95High', 'LlmInterTokenLatencyP95High', 'LlmQueueTimeP95High', 'LlmKvCacheNearFull', 'LlmErrorBudgetFastBurn', 'LlmErrorBudgetSlowBurn',
    ]);
    expect(plan.dashboards.map((d) => d.uid)).not.toContain('ml-model-serving');
    expect(plan.services.map((s) => s.id)).not.toContain('kubeflow-pipelines');

    const noDcgm = planObservability({ ...primary, components: { ...allOn, dcgmExporter: false } }, obs);
    expect(noDcgm.omittedAlerts).toEqual(expect.arrayContaining(['GpuAllocatedButIdle', 'GpuXidError', 'NotebookIdle']));
    // Allocation still comes from kube-state-metrics; use needs DCGM.
    const records = noDcgm.recordingGroups.flatMap((g) => g.rules.map((r) => r.record.name));
    expect(records).toContain('team:gpu_allocated:sum');
    expect(records).not.toContain('team:gpu_used:sum');
    expect(noDcgm.dashboards.find((d) => d.uid === 'ml-gpu-cost')!.panels.map((p) => p.title)).not.toContain('GPU efficiency per team (used / allocated)');
  });

  it('computes model latency from the model server when the queue-proxy port is closed', () => {
    const plan = planObservability({ ...primary, metricsPorts: [8080] }, obs);
    const latency = plan.recordingGroups.flatMap((g) => g.rules).find((r) => r.record.name === 'namespace_model:serving_latency_seconds:p95_5m')!;
    expect(latency.queries).toHaveLength(1);
    expect(latency.queries[0].expr).toMatch(/request_predict_seconds_bucket/);
    expect(alertNames({ ...primary, metricsPorts: [8080] })).not.toContain('ModelErrorBudgetFastBurn');
  });

  it('burns the error budget of the spec objective at the SRE-workbook rates', () => {
    const fast = planObservability(primary, { ...obs, alerts: { ...obs.alerts, servingAvailabilityPercent: 99.9 } }).alertGroups.flatMap((g) => g.rules).find((r) => r.alert === 'ModelErrorBudgetFastBurn')!;
    expect(fast.query.expr).toBe(
      '(namespace_model:serving_error_ratio:rate1h > 0.0144 and namespace_model:serving_error_ratio:rate5m > 0.0144) or (namespace_model:serving_error_ratio:rate6h > 0.006 and namespace_model:serving_error_ratio:rate30m > 0.006)',
    );
  });
});

describe('add-on values from the spec', () => {
  it('sets Prometheus retention, size limit and volume, and the kube-state-metrics label allowlist', () => {
    const values = kubePrometheusStackValues({ ...obs, retentionDays: 30, prometheusStorageGiB: 200, storageClass: 'fast-ssd' });
    expect(values).toEqual({
      prometheus: {
        prometheusSpec: {
          retention: '30d',
          retentionSize: '170GB',
          storageSpec: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '200Gi' } }, storageClassName: 'fast-ssd' } } },
        },
      },
      'kube-state-metrics': { metricLabelsAllowlist: ['namespaces=[ml.platform/team,ml.platform/stage,ml.platform/cost-center]', 'nodes=[ml.platform/pool]', 'pods=[notebook-name,app.kubernetes.io/part-of,kserve.io/component]'] },
    });
    const noClass = kubePrometheusStackValues(obs) as { prometheus: { prometheusSpec: { retention: string; storageSpec: { volumeClaimTemplate: { spec: Record<string, unknown> } } } } };
    expect(noClass.prometheus.prometheusSpec.retention).toBe('15d');
    expect(noClass.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName).toBeUndefined();
  });

  it('names OpenCost clusters after the platform cluster', () => {
    expect(openCostValues('onprem-h100')).toEqual({ opencost: { exporter: { defaultClusterId: 'onprem-h100' } } });
  });

  it('fills every default when the spec has no observability section', () => {
    expect(parseSpec(dev).observability).toEqual({
      retentionDays: 15,
      prometheusStorageGiB: 50,
      runbookBaseUrl: 'docs/runbooks.md',
      alerts: {
        gpuIdlePercent: 10, gpuIdleMinutes: 30, gpuMemoryFullPercent: 95, gpuTemperatureCelsius: 85, queuePendingMinutes: 60,
        clusterQueueQuotaPercent: 90, namespaceQuotaPercent: 90, servingLatencyP95Ms: 500, servingAvailabilityPercent: 99.5,
        driftScoreThreshold: 0.2, driftMinSamples: 500, notebookIdleHours: 24,
        llmTtftP95Ms: 2000, llmItlP95Ms: 100, llmQueueTimeP95Ms: 1000, llmKvCacheFullPercent: 90, llmAvailabilityPercent: 99.5,
      },
    });
  });
});

describe('in the MlPlatform chart', () => {
  const objectsOf = (input: unknown) => renderEnvironment(parseSpec(input)).flatMap((c) => c.files.flatMap((f) => [...f.objects]));

  it('gives kube-prometheus-stack the retention and volume of the spec', () => {
    const objs = objectsOf({ ...dev, observability: { retentionDays: 7, prometheusStorageGiB: 20 } });
    const kps = objs.find((o) => o.kind === 'HelmRelease' && o.metadata.name === 'kube-prometheus-stack') as unknown as { spec: { values: { prometheus: { prometheusSpec: Record<string, unknown> } } } };
    expect(kps.spec.values.prometheus.prometheusSpec).toMatchObject({ retention: '7d', retentionSize: '17GB', serviceMonitorSelectorNilUsesHelmValues: false });
  });

  it('adds no monitoring objects when kube-prometheus-stack is off', () => {
    const off = { kubePrometheusStack: false, dcgmExporter: false, trivyOperator: false, openCost: false };
    const objs = objectsOf({ ...dev, components: off });
    expect(objs.filter((o) => o.apiVersion.startsWith('monitoring.coreos.com/') || o.metadata.labels?.grafana_dashboard === '1')).toEqual([]);
  });
});
