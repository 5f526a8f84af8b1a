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

  it('leaves out what a cluster cannot compute, and says so', () => {
    const plan = planObservability(burst, obs);
    expect(plan.omittedAlerts).toEqual(['ModelLatencyP95High', 'ModelErrorBudgetFastBurn', 'ModelErrorBudgetSlowBurn', 'PredictionDrift']);
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
      'kube-state-metrics': { metricLabelsAllowlist: ['namespaces=[ml.platform/team,ml.platform/stage,ml.platform/cost-center]', 'nodes=[ml.platform/pool]', 'pods=[notebook-name]'] },
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
