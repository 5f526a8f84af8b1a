import { Construct } from 'constructs';
import * as monitoring from '../../imports/monitoring.coreos.com';
import { crdEnum } from '../crd-enum';
import { monitoringLabels, Relabeling, tagTarget } from './monitor-labels';
import { ServiceTarget } from './scrape-targets';

export interface ServiceMonitorProps {
  /** The documented add-on Service to scrape (scrape-targets.ts). */
  readonly target: ServiceTarget;
  /** Namespace the ServiceMonitor lives in (the observability namespace). */
  readonly namespace: string;
}

/** Service account token path in the Prometheus pod, for endpoints that authorize the scraper. */
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Relabel rules of a Service target: its id, and where asked, the node name, workload labels only, or a keep-by-name filter. */
export function serviceRelabelings(t: ServiceTarget): Relabeling[] {
  return [
    tagTarget(t.id),
    ...(t.workloadLabels ? [{ action: 'labeldrop' as const, regex: 'namespace|pod|container' }] : []),
    ...(t.nodeLabel ? [{ action: 'replace' as const, sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' }] : []),
    ...(t.keepServiceName ? [{ action: 'keep' as const, sourceLabels: ['__meta_kubernetes_service_name'], regex: t.serviceName }] : []),
  ];
}

/**
 * A Prometheus Operator ServiceMonitor for one add-on Service, kept in the observability namespace
 * and pointed at the add-on's namespace, so all scraping is declared in one place.
 */
export class ServiceMonitor extends Construct {
  /** Name of the ServiceMonitor. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: ServiceMonitorProps) {
    super(scope, id);
    const t = props.target;
    const missing = Object.entries(t.select).filter(([k, v]) => t.serviceLabels[k] !== v);
    if (missing.length > 0) throw new Error(`scrape target "${t.id}": select ${missing.map(([k, v]) => `${k}=${v}`).join(', ')} is not a label of Service ${t.namespace}/${t.serviceName}; select only labels the Service has`);
    if (t.endpoint.port === undefined || !t.servicePorts.includes(t.endpoint.port)) throw new Error(`scrape target "${t.id}": port "${t.endpoint.port ?? ''}" is not a port of Service ${t.namespace}/${t.serviceName} (ports: ${t.servicePorts.join(', ')})`);
    this.name = `ml-platform-${t.id}`;
    const e = t.endpoint;
    new monitoring.ServiceMonitor(this, 'resource', {
      metadata: { name: this.name, namespace: props.namespace, labels: monitoringLabels('scrape') },
      spec: {
        namespaceSelector: { matchNames: [t.namespace] },
        selector: { matchLabels: { ...t.select } },
        endpoints: [
          {
            port: e.port,
            path: e.path,
            scheme: e.scheme === undefined ? undefined : crdEnum(monitoring.ServiceMonitorSpecEndpointsScheme, e.scheme, `scrape target "${t.id}": endpoint scheme`),
            honorLabels: e.honorLabels,
            ...(e.bearerToken ? { bearerTokenFile: SERVICE_ACCOUNT_TOKEN } : {}),
            ...(e.insecureSkipVerify ? { tlsConfig: { insecureSkipVerify: true } } : {}),
            relabelings: serviceRelabelings(t).map((r) => ({
              ...r,
              action: crdEnum(monitoring.ServiceMonitorSpecEndpointsRelabelingsAction, r.action, `scrape target "${t.id}": relabeling action`),
              sourceLabels: r.sourceLabels === undefined ? undefined : [...r.sourceLabels],
            })),
          },
        ],
      },
    });
  }
}
