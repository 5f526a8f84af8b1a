import { MetricDefinition } from './metric-catalogue';
import { metricsOf, Query } from './promql';

/**
 * A small typed model of a Grafana dashboard and its JSON rendering (schema of Grafana 10+/11).
 * Panels are laid out left to right on Grafana's 24-column grid; the datasource is a dashboard
 * variable, so the same JSON works with whatever Prometheus datasource the Grafana has.
 */

export type PanelKind = 'timeseries' | 'stat' | 'table' | 'bargauge';
/** Grafana unit ids used here. */
export type Unit = 'percent' | 'percentunit' | 'short' | 'reqps' | 's' | 'ms' | 'celsius' | 'watt' | 'none' | 'currencyUSD';

export interface PanelTarget {
  readonly query: Query;
  /** Legend template, e.g. "{{pool}}". */
  readonly legend: string;
  /** Table panels show the value at the end of the range rather than a series. */
  readonly instant?: boolean;
}

export interface PanelSpec {
  readonly title: string;
  readonly kind: PanelKind;
  readonly unit: Unit;
  readonly targets: readonly PanelTarget[];
  /** Grid columns out of 24. @default 12 */
  readonly width?: number;
  readonly description?: string;
}

/** A variable filled from the values of one label of one metric (`label_values`). */
export interface LabelVariable {
  readonly name: string;
  readonly label: string;
  readonly metric: MetricDefinition;
  readonly labelName: string;
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly variables: readonly LabelVariable[];
  readonly panels: readonly PanelSpec[];
}

const PANEL_HEIGHT = 8;
const GRID_COLUMNS = 24;
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/** Every metric the dashboard reads, variables included. */
export function dashboardMetrics(d: DashboardSpec): MetricDefinition[] {
  return [...new Set([...d.variables.map((v) => v.metric), ...metricsOf(d.panels.flatMap((p) => p.targets.map((t) => t.query)))])];
}

function panelJson(p: PanelSpec, id: number, x: number, y: number): Record<string, unknown> {
  const width = p.width ?? 12;
  return {
    id,
    type: p.kind,
    title: p.title,
    ...(p.description === undefined ? {} : { description: p.description }),
    datasource: DATASOURCE,
    gridPos: { x, y, w: width, h: PANEL_HEIGHT },
    fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
    options: p.kind === 'timeseries' ? { legend: { displayMode: 'table', placement: 'bottom', calcs: ['mean', 'max'] } } : {},
    targets: p.targets.map((t, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: DATASOURCE,
      expr: t.query.expr,
      legendFormat: t.legend,
      ...(t.instant === true ? { instant: true, range: false, format: 'table' } : { range: true }),
    })),
  };
}

/** The dashboard model Grafana imports. Throws on a layout or naming mistake rather than drawing it wrong. */
export function renderDashboard(d: DashboardSpec): Record<string, unknown> {
  if (!/^[a-z0-9-]{1,40}$/.test(d.uid)) throw new Error(`dashboard uid "${d.uid}" must be 1-40 characters of a-z, 0-9 and -`);
  if (d.panels.length === 0) throw new Error(`dashboard "${d.uid}" has no panels`);
  const panels: Record<string, unknown>[] = [];
  let x = 0;
  let y = 0;
  d.panels.forEach((p, i) => {
    const width = p.width ?? 12;
    if (width < 1 || width > GRID_COLUMNS) throw new Error(`dashboard "${d.uid}" panel "${p.title}": width must be 1..${GRID_COLUMNS} (got ${width})`);
    if (p.targets.length === 0) throw new Error(`dashboard "${d.uid}" panel "${p.title}" has no query`);
    if (x + width > GRID_COLUMNS) {
      x = 0;
      y += PANEL_HEIGHT;
    }
    panels.push(panelJson(p, i + 1, x, y));
    x += width;
  });
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: [...d.tags],
    editable: false,
    schemaVersion: 39,
    time: { from: 'now-24h', to: 'now' },
    refresh: '1m',
    templating: {
      list: [
        { name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
        ...d.variables.map((v) => ({
          name: v.name,
          label: v.label,
          type: 'query',
          datasource: DATASOURCE,
          query: { query: `label_values(${v.metric.name}, ${v.labelName})`, refId: 'variable' },
          definition: `label_values(${v.metric.name}, ${v.labelName})`,
          includeAll: true,
          multi: true,
          allValue: '.*',
          current: { text: 'All', value: '$__all' },
          refresh: 2,
          sort: 1,
        })),
      ],
    },
    panels,
  };
}
