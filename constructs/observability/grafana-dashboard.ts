import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DashboardSpec, renderDashboard } from './dashboard';
import { monitoringLabels } from './monitor-labels';

const { k8s } = kplus;

/** Label the kube-prometheus-stack Grafana sidecar loads dashboards by (catalog: grafana.sidecar.dashboards.label). */
export const DASHBOARD_LABEL = 'grafana_dashboard';

export interface GrafanaDashboardProps {
  /** The dashboard, built in TypeScript (dashboards.ts). */
  readonly dashboard: DashboardSpec;
  /** Namespace of the ConfigMap (the sidecar searches all namespaces; the platform keeps them in the observability one). */
  readonly namespace: string;
}

/** A Grafana dashboard delivered as a labelled ConfigMap, which the Grafana sidecar picks up. */
export class GrafanaDashboard extends Construct {
  /** Name of the ConfigMap. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: GrafanaDashboardProps) {
    super(scope, id);
    this.name = `dashboard-${props.dashboard.uid}`;
    new k8s.KubeConfigMap(this, 'config-map', {
      metadata: { name: this.name, namespace: props.namespace, labels: { ...monitoringLabels('dashboards'), [DASHBOARD_LABEL]: '1' } },
      data: { [`${props.dashboard.uid}.json`]: JSON.stringify(renderDashboard(props.dashboard), null, 1) },
    });
  }
}
