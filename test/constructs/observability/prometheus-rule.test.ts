import { Testing } from 'cdk8s';
import { alertGroups } from '../../../constructs/observability/alert-rules';
import { alertRuleJson, PrometheusRule, recordingRuleJson, runbookUrl } from '../../../constructs/observability/prometheus-rule';
import { RECORDING_GROUPS } from '../../../constructs/observability/recording-rules';
import { loadEnvironment } from '../../../environments';
import { testChart } from '../../support/test-chart';

const thresholds = loadEnvironment('dev').observability.alerts;
const idle = alertGroups(thresholds)[0].rules[0];

function synth(groups: ConstructorParameters<typeof PrometheusRule>[2]['groups']) {
  const chart = testChart();
  new PrometheusRule(chart, 'r', { name: 'ml-platform-alerts', namespace: 'monitoring', groups });
  return Testing.synth(chart)[0] as { kind: string; metadata: { name: string; namespace: string }; spec: { groups: { name: string; interval?: string; rules: Record<string, unknown>[] }[] } };
}

describe('PrometheusRule', () => {
  it('renders alerts with severity, summary, description and a runbook anchor', () => {
    const obj = synth([{ name: 'ml-platform.gpu', rules: [alertRuleJson(idle, 'docs/runbooks.md')] }]);
    expect(obj).toMatchObject({ kind: 'PrometheusRule', metadata: { name: 'ml-platform-alerts', namespace: 'monitoring' } });
    expect(obj.spec.groups[0].rules[0]).toEqual({
      alert: 'GpuAllocatedButIdle',
      expr: idle.query.expr,
      for: '30m',
      labels: { severity: 'warning' },
      annotations: { summary: idle.summary, description: idle.description, runbook_url: 'docs/runbooks.md#gpuallocatedbutidle' },
    });
    expect(runbookUrl('https://runbooks.example.org/ml', 'PredictionDrift')).toBe('https://runbooks.example.org/ml#predictiondrift');
  });

  it('takes the thresholds from the spec', () => {
    const custom = alertGroups({ ...thresholds, gpuIdlePercent: 5, gpuIdleMinutes: 45 })[0].rules[0];
    expect(custom.query.expr).toMatch(/< 5$/);
    expect(custom.for).toBe('45m');
  });

  it('joins alternatives of a recording rule with or', () => {
    const latency = RECORDING_GROUPS.flatMap((g) => g.rules).find((r) => r.record.name === 'namespace_model:serving_latency_seconds:p95_5m')!;
    const json = recordingRuleJson(latency);
    expect(json.record).toBe('namespace_model:serving_latency_seconds:p95_5m');
    expect(json.expr).toMatch(/^\(histogram_quantile\(0\.95.*revision_request_latencies_bucket.*\) or \(histogram_quantile\(0\.95.*request_predict_seconds_bucket.*\)$/);
    expect(() => recordingRuleJson({ ...latency, queries: [] })).toThrow(/has no expression/);
  });

  it('refuses an alert without severity or runbook, a rule that is both or neither, empty and duplicate groups', () => {
    const good = alertRuleJson(idle, 'docs/runbooks.md');
    expect(() => synth([{ name: 'g', rules: [{ ...good, labels: {} }] }])).toThrow(/alert GpuAllocatedButIdle needs labels.severity and annotations summary and runbook_url/);
    expect(() => synth([{ name: 'g', rules: [{ ...good, annotations: { summary: 's' } }] }])).toThrow(/needs labels.severity/);
    expect(() => synth([{ name: 'g', rules: [{ ...good, record: 'x:y:z' }] }])).toThrow(/exactly one of alert and record/);
    expect(() => synth([{ name: 'g', rules: [] }])).toThrow(/group "g" has no rules/);
    expect(() => synth([{ name: 'g', rules: [good] }, { name: 'g', rules: [good] }])).toThrow(/group "g" appears twice/);
  });
});
