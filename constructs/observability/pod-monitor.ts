import { Construct } from 'constructs';
import * as monitoring from '../../imports/monitoring.coreos.com';
import { crdEnum } from '../crd-enum';
import { monitoringLabels, tagTarget } from './monitor-labels';
import { PlacedPodTarget } from './scrape-targets';

export interface PodMonitorProps {
  /** The pods to scrape, with the namespaces and endpoints they have on this cluster. */
  readonly target: PlacedPodTarget;
  /** Namespace the PodMonitor lives in (the observability namespace). */
  readonly namespace: string;
}

/**
 * A Prometheus Operator PodMonitor, for pods that have no Service of their own (Flux controllers)
 * or whose metrics ports are per pod (KServe predictors, drift detectors in team namespaces).
 */
export class PodMonitor extends Construct {
  /** Name of the PodMonitor. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: PodMonitorProps) {
    super(scope, id);
    const { target, namespaces, endpoints } = props.target;
    if (namespaces.length === 0) throw new Error(`scrape target "${target.id}": no namespace to scrape on this cluster`);
    if (endpoints.length === 0) throw new Error(`scrape target "${target.id}": no endpoint left (are its ports in network.metricsPorts?)`);
    this.name = `ml-platform-${target.id}`;
    new monitoring.PodMonitor(this, 'resource', {
      metadata: { name: this.name, namespace: props.namespace, labels: monitoringLabels('scrape') },
      spec: {
        namespaceSelector: { matchNames: [...namespaces] },
        selector: {
          ...(target.matchLabels === undefined ? {} : { matchLabels: { ...target.matchLabels } }),
          ...(target.matchExpressions === undefined ? {} : { matchExpressions: target.matchExpressions.map((m) => ({ key: m.key, operator: m.operator, ...(m.values === undefined ? {} : { values: [...m.values] }) })) }),
        },
        podMetricsEndpoints: endpoints.map((e) => ({
          ...(e.port === undefined ? {} : { port: e.port }),
          ...(e.portNumber === undefined ? {} : { portNumber: e.portNumber }),
          path: e.path,
          scheme: e.scheme === undefined ? undefined : crdEnum(monitoring.PodMonitorSpecPodMetricsEndpointsScheme, e.scheme, `scrape target "${target.id}": endpoint scheme`),
          honorLabels: e.honorLabels,
          ...(e.insecureSkipVerify ? { tlsConfig: { insecureSkipVerify: true } } : {}),
          // Team workloads are not platform components: PlatformScrapeTargetDown leaves them to their owners.
          ...(target.inWorkflowNamespaces ? {} : { relabelings: [tagTarget(target.id)].map((r) => ({ ...r, action: crdEnum(monitoring.PodMonitorSpecPodMetricsEndpointsRelabelingsAction, r.action, `scrape target "${target.id}": relabeling action`), sourceLabels: r.sourceLabels === undefined ? undefined : [...r.sourceLabels] })) }),
        })),
      },
    });
  }
}
