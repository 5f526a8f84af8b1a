import { Testing } from 'cdk8s';
import { DashboardSpec, renderDashboard } from '../../../constructs/observability/dashboard';
import { GPU_FLEET } from '../../../constructs/observability/dashboards';
import { GrafanaDashboard } from '../../../constructs/observability/grafana-dashboard';
import { METRIC } from '../../../constructs/observability/metric-catalogue';
import { promql } from '../../../constructs/observability/promql';
import { testChart } from '../../support/test-chart';

type Panel = { id: number; type: string; gridPos: { x: number; y: number; w: number; h: number }; targets: { refId: string; expr: string; instant?: boolean }[] };

function synth(dashboard: DashboardSpec) {
  const chart = testChart();
  new GrafanaDashboard(chart, 'd', { dashboard, namespace: 'monitoring' });
  return Testing.synth(chart)[0] as { kind: string; metadata: { name: string; namespace: string; labels: Record<string, string> }; data: Record<string, string> };
}

const small = (widths: number[]): DashboardSpec => ({
  uid: 'test-board',
  title: 'Test',
  description: 'd',
  tags: ['t'],
  variables: [],
  panels: widths.map((width, i) => ({ title: `p${i}`, kind: 'timeseries', unit: 'short', width, targets: [{ query: promql`${METRIC.up}`, legend: '' }] })),
});

describe('GrafanaDashboard', () => {
  it('is a ConfigMap the Grafana sidecar loads (grafana_dashboard: "1") with the dashboard JSON', () => {
    const cm = synth(GPU_FLEET);
    expect(cm).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'dashboard-ml-gpu-fleet', namespace: 'monitoring' } });
    expect(cm.metadata.labels.grafana_dashboard).toBe('1');
    const json = JSON.parse(cm.data['ml-gpu-fleet.json']) as { uid: string; panels: Panel[]; templating: { list: { name: string; definition?: string }[] } };
    expect(json.uid).toBe('ml-gpu-fleet');
    expect(json.panels).toHaveLength(GPU_FLEET.panels.length);
    expect(json.templating.list.map((v) => v.name)).toEqual(['datasource', 'pool']);
    expect(json.templating.list[1].definition).toBe('label_values(kube_node_labels, label_ml_platform_pool)');
  });

  it('lays panels out on the 24-column grid, wrapping rows', () => {
    const panels = (renderDashboard(small([12, 12, 24, 8, 8, 8, 12])).panels as Panel[]).map((p) => p.gridPos);
    expect(panels.map((g) => [g.x, g.y])).toEqual([[0, 0], [12, 0], [0, 8], [0, 16], [8, 16], [16, 16], [0, 24]]);
  });

  it('renders instant table targets and lettered refIds', () => {
    const json = renderDashboard(GPU_FLEET) as { panels: Panel[] };
    const capacity = json.panels.find((p) => p.targets.length === 3)!;
    expect(capacity.targets.map((t) => t.refId)).toEqual(['A', 'B', 'C']);
    expect(json.panels.find((p) => p.type === 'table')!.targets[0].instant).toBe(true);
  });

  it('refuses a bad uid, a too wide panel, a panel without query and an empty dashboard', () => {
    expect(() => renderDashboard({ ...small([12]), uid: 'Bad UID' })).toThrow(/dashboard uid "Bad UID" must be/);
    expect(() => renderDashboard(small([30]))).toThrow(/panel "p0": width must be 1..24 \(got 30\)/);
    expect(() => renderDashboard({ ...small([12]), panels: [{ ...small([12]).panels[0], targets: [] }] })).toThrow(/panel "p0" has no query/);
    expect(() => renderDashboard({ ...small([]) })).toThrow(/has no panels/);
  });
});
