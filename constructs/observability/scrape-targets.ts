import { ComponentName, Stage } from '../../environments/schema';
import { AddonId } from '../catalog';
import { ENDPOINT_PICKER_POD, LLM_FLOW_PORTS, SERVING_PORT } from '../tenancy/network-flows';
import { MetricSource } from './metric-catalogue';

/**
 * What Prometheus scrapes besides kube-prometheus-stack's own targets. Add-on Services are not in
 * the platform's output (their charts create them), so each is documented here as the chart
 * renders it; the tests check every ServiceMonitor against this table, and the table against the
 * catalog's namespaces.
 */

/** The cluster facts that decide which targets exist. */
export interface ObservedCluster {
  readonly components: Readonly<Record<ComponentName, boolean>>;
  readonly role: 'primary' | 'burst';
  readonly stages: readonly Stage[];
  /** Team workflow namespaces on this cluster with their stage. */
  readonly workflowNamespaces: readonly { readonly namespace: string; readonly stage: Stage }[];
  /** Ports the workflow namespaces' NetworkPolicies let the monitoring namespace scrape. */
  readonly metricsPorts: readonly number[];
  /** Whether Flux runs on the cluster (the cdk8s/GitOps delivery). */
  readonly gitops: boolean;
  /** Serving namespaces that run LLM services (their flows open the vLLM port to scraping). @default none */
  readonly llmNamespaces?: readonly string[];
}

export interface ScrapeEndpoint {
  /** Service port name (ServiceMonitor) or container port name (PodMonitor). */
  readonly port?: string;
  /** Container port number (PodMonitor only), for workloads whose port names vary by runtime. */
  readonly portNumber?: number;
  readonly path: string;
  readonly scheme: 'http' | 'https';
  /** Send Prometheus' service account token: the endpoint authorizes with a SubjectAccessReview. */
  readonly bearerToken: boolean;
  /** Self-signed serving certificate of the controller (internal cert management). */
  readonly insecureSkipVerify: boolean;
  /** Keep the exporter's own namespace/pod labels: they name the workload, not the exporter. */
  readonly honorLabels: boolean;
  /** Metrics this endpoint provides (none: only `up`). */
  readonly provides?: MetricSource;
}

/** Who installs the scraped component. */
export type InstalledBy = { readonly addon: AddonId } | { readonly external: string };

export interface ServiceTarget {
  readonly kind: 'service';
  readonly id: string;
  readonly namespace: string;
  readonly serviceName: string;
  /** The labels the chart puts on the Service. */
  readonly serviceLabels: Readonly<Record<string, string>>;
  /** The ServiceMonitor's matchLabels: a subset of serviceLabels that matches this Service only. */
  readonly select: Readonly<Record<string, string>>;
  /** Port names the Service has. */
  readonly servicePorts: readonly string[];
  readonly endpoint: ScrapeEndpoint;
  /** Other Services carry the same labels: keep only this one by name. */
  readonly keepServiceName: boolean;
  /** Copy the pod's node name into a `node` label (per-node exporters). */
  readonly nodeLabel: boolean;
  /**
   * The exporter's namespace/pod/container labels name the workload (DCGM pod mapping): drop the
   * target's own, so a GPU without a pod is not put on the exporter's pod.
   */
  readonly workloadLabels: boolean;
  readonly installedBy: InstalledBy;
  /** Where the Service's name, labels and ports were read. */
  readonly ref: string;
  readonly when: (c: ObservedCluster) => boolean;
}

export interface PodTarget {
  readonly kind: 'pod';
  readonly id: string;
  readonly namespaces: (c: ObservedCluster) => string[];
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: 'In' | 'Exists'; readonly values?: readonly string[] }[];
  readonly endpoints: readonly ScrapeEndpoint[];
  readonly installedBy: InstalledBy;
  readonly ref: string;
  /** Pods in team workflow namespaces: the endpoints must be ports the NetworkPolicies allow. */
  readonly inWorkflowNamespaces: boolean;
  /** The namespaces' own flows open these ports to scraping (LLM serving namespaces), whatever network.metricsPorts says. @default false */
  readonly portsOpenedByFlows?: boolean;
}

/** Labels KServe's LLMInferenceService controller puts on model-server pods (single- and multi-node). */
export const LLM_WORKLOAD_POD = { 'app.kubernetes.io/part-of': 'llminferenceservice', 'kserve.io/component': 'workload' } as const;
/** Endpoint picker /metrics port (constructs/catalog/serving.ts). */
export const ENDPOINT_PICKER_METRICS_PORT = LLM_FLOW_PORTS.endpointPickerMetrics;

/** Queue-proxy user metrics port of Knative revisions (request count and latency). */
export const KNATIVE_USER_METRICS_PORT = 9091;
/** Pod label a drift detector in a team monitoring namespace carries to be scraped. */
export const DRIFT_DETECTOR_LABEL = 'ml.platform/drift-detector';

const http = (port: string, provides?: MetricSource, honorLabels = false): ScrapeEndpoint => ({ port, path: '/metrics', scheme: 'http', bearerToken: false, insecureSkipVerify: false, honorLabels, provides });
/** controller-runtime secure metrics: HTTPS with a self-signed certificate, token checked by SubjectAccessReview. */
const secure = (port: string, provides?: MetricSource): ScrapeEndpoint => ({ port, path: '/metrics', scheme: 'https', bearerToken: true, insecureSkipVerify: true, honorLabels: false, provides });
const helmLabels = (name: string): Record<string, string> => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name });

export const ADDON_SERVICES: readonly ServiceTarget[] = [
  {
    kind: 'service', id: 'dcgm-exporter', namespace: 'gpu-operator', serviceName: 'dcgm-exporter',
    serviceLabels: { ...helmLabels('dcgm-exporter'), 'app.kubernetes.io/component': 'dcgm-exporter' },
    select: helmLabels('dcgm-exporter'), servicePorts: ['metrics'],
    endpoint: http('metrics', 'dcgm-exporter', true), keepServiceName: false, nodeLabel: true, workloadLabels: true,
    installedBy: { addon: 'dcgm-exporter' }, ref: 'NVIDIA/dcgm-exporter deployment/templates/service.yaml, _helpers.tpl',
    when: (c) => c.components.dcgmExporter,
  },
  {
    kind: 'service', id: 'kueue', namespace: 'kueue-system', serviceName: 'kueue-controller-manager-metrics-service',
    serviceLabels: { ...helmLabels('kueue'), 'control-plane': 'controller-manager', 'app.kubernetes.io/component': 'metrics-service' },
    select: { ...helmLabels('kueue'), 'app.kubernetes.io/component': 'metrics-service' }, servicePorts: ['https'],
    endpoint: secure('https', 'kueue'), keepServiceName: false, nodeLabel: false, workloadLabels: false,
    installedBy: { addon: 'kueue' }, ref: 'kubernetes-sigs/kueue charts/kueue templates/manager/auth_proxy_service.yaml, _helpers.tpl, values.yaml metricsService',
    when: (c) => c.components.kueue,
  },
  {
    kind: 'service', id: 'trivy-operator', namespace: 'trivy-system', serviceName: 'trivy-operator',
    serviceLabels: helmLabels('trivy-operator'), select: helmLabels('trivy-operator'), servicePorts: ['metrics'],
    endpoint: http('metrics', 'trivy-operator', true), keepServiceName: false, nodeLabel: false, workloadLabels: false,
    installedBy: { addon: 'trivy-operator' }, ref: 'aquasecurity/trivy-operator deploy/helm/templates/monitor/service.yaml, servicemonitor.yaml',
    when: (c) => c.components.trivyOperator,
  },
  {
    kind: 'service', id: 'opencost', namespace: 'opencost', serviceName: 'opencost',
    serviceLabels: { ...helmLabels('opencost'), 'app.kubernetes.io/part-of': 'opencost' }, select: helmLabels('opencost'), servicePorts: ['http'],
    endpoint: http('http', 'opencost', true), keepServiceName: false, nodeLabel: false, workloadLabels: false,
    installedBy: { addon: 'opencost' }, ref: 'opencost/opencost-helm-chart charts/opencost/templates/service.yaml, _helpers.tpl',
    when: (c) => c.components.openCost,
  },
  {
    kind: 'service', id: 'cert-manager', namespace: 'cert-manager', serviceName: 'cert-manager',
    serviceLabels: { ...helmLabels('cert-manager'), app: 'cert-manager', 'app.kubernetes.io/component': 'controller' },
    select: { ...helmLabels('cert-manager'), 'app.kubernetes.io/component': 'controller' }, servicePorts: ['tcp-prometheus-servicemonitor'],
    endpoint: http('tcp-prometheus-servicemonitor'), keepServiceName: false, nodeLabel: false, workloadLabels: false,
    installedBy: { addon: 'cert-manager' }, ref: 'cert-manager/cert-manager deploy/charts/cert-manager/templates/service.yaml (prometheus.enabled)',
    when: (c) => c.components.certManager,
  },
  {
    kind: 'service', id: 'kubeflow-trainer', namespace: 'kubeflow-system', serviceName: 'kubeflow-trainer-controller-manager',
    serviceLabels: { ...helmLabels('kubeflow-trainer'), 'app.kubernetes.io/part-of': 'kubeflow', 'app.kubernetes.io/component': 'manager' },
    select: { ...helmLabels('kubeflow-trainer'), 'app.kubernetes.io/component': 'manager' }, servicePorts: ['monitoring-port', 'webhook-server'],
    endpoint: secure('monitoring-port'), keepServiceName: false, nodeLabel: false, workloadLabels: false,
    installedBy: { external: 'Kubeflow Trainer v2.3.0 (Helm chart kubeflow-trainer or manifests/overlays/manager)' }, ref: 'kubeflow/trainer manifests/base/manager/service.yaml; charts/kubeflow-trainer templates/_helpers.tpl, manager/_helpers.tpl, manager/service-monitor.yaml (port monitoring-port)',
    when: (c) => c.stages.includes('training'),
  },
  {
    kind: 'service', id: 'kubeflow-pipelines', namespace: 'kubeflow', serviceName: 'ml-pipeline',
    serviceLabels: { 'app.kubernetes.io/name': 'kubeflow-pipelines', 'app.kubernetes.io/component': 'ml-pipeline', 'application-crd-id': 'kubeflow-pipelines' },
    select: { 'app.kubernetes.io/name': 'kubeflow-pipelines', 'app.kubernetes.io/component': 'ml-pipeline' }, servicePorts: ['http', 'grpc'],
    endpoint: http('http'), keepServiceName: true, nodeLabel: false, workloadLabels: false,
    installedBy: { external: 'Kubeflow Pipelines 2.17.0 (manifests/kustomize/env, common labels)' }, ref: 'kubeflow/pipelines manifests/kustomize/base/pipeline/ml-pipeline-apiserver-service.yaml',
    when: (c) => c.role === 'primary',
  },
];

export const POD_TARGETS: readonly PodTarget[] = [
  {
    kind: 'pod', id: 'flux', namespaces: () => ['flux-system'],
    matchExpressions: [{ key: 'app', operator: 'In', values: ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller'] }],
    endpoints: [http('http-prom')], installedBy: { external: 'flux install (controllers pinned in the catalog, GITOPS)' },
    ref: 'fluxcd/flux2 manifests/monitoring/monitoring-config/podmonitor.yaml', inWorkflowNamespaces: false,
  },
  {
    kind: 'pod', id: 'kserve-inference',
    namespaces: (c) => c.workflowNamespaces.filter((n) => n.stage === 'serving').map((n) => n.namespace),
    matchExpressions: [{ key: 'serving.kserve.io/inferenceservice', operator: 'Exists' }],
    endpoints: [
      { ...http('', 'knative-queue-proxy'), port: undefined, portNumber: KNATIVE_USER_METRICS_PORT },
      { ...http('', 'kserve-model-server'), port: undefined, portNumber: SERVING_PORT },
    ],
    installedBy: { external: 'KServe v0.20.0 InferenceServices of the teams' }, ref: 'kserve.github.io modelserving/observability/prometheus_metrics; knative.dev serving/services/service-metrics',
    inWorkflowNamespaces: true,
  },
  {
    kind: 'pod', id: 'llm-model-servers', namespaces: (c) => [...(c.llmNamespaces ?? [])],
    matchLabels: { ...LLM_WORKLOAD_POD },
    // vLLM serves /metrics on its OpenAI port, with KServe's self-signed certificate.
    endpoints: [{ path: '/metrics', scheme: 'https', bearerToken: false, insecureSkipVerify: true, honorLabels: false, provides: 'vllm', portNumber: LLM_FLOW_PORTS.modelServer }],
    installedBy: { external: 'KServe v0.20.0 LLMInferenceServices of the teams (constructs/serving)' },
    ref: 'kserve/kserve pkg/controller/llmisvc workload labels; kserve-runtime-configs kserve-config-llm-template (port 8000, TLS)', inWorkflowNamespaces: true, portsOpenedByFlows: true,
  },
  {
    kind: 'pod', id: 'llm-endpoint-pickers', namespaces: (c) => [...(c.llmNamespaces ?? [])],
    matchLabels: { ...ENDPOINT_PICKER_POD },
    endpoints: [{ ...http('', 'endpoint-picker'), port: undefined, portNumber: ENDPOINT_PICKER_METRICS_PORT }],
    installedBy: { external: 'KServe v0.20.0 LLMInferenceService router scheduler (label from the platform vLLM preset)' },
    ref: 'kserve-runtime-configs kserve-config-llm-scheduler (container port metrics 9090)', inWorkflowNamespaces: true, portsOpenedByFlows: true,
  },
  {
    kind: 'pod', id: 'drift-detectors',
    namespaces: (c) => c.workflowNamespaces.filter((n) => n.stage === 'monitoring' || n.stage === 'serving').map((n) => n.namespace),
    matchLabels: { [DRIFT_DETECTOR_LABEL]: 'true' },
    endpoints: [{ ...http('', 'prediction-drift'), port: undefined, portNumber: SERVING_PORT }],
    installedBy: { external: 'team drift detectors (README, prediction drift contract)' }, ref: 'README, Observability', inWorkflowNamespaces: true,
  },
];

/** A pod target with the namespaces and endpoints it has on one cluster. */
export interface PlacedPodTarget {
  readonly target: PodTarget;
  readonly namespaces: readonly string[];
  readonly endpoints: readonly ScrapeEndpoint[];
}

/** The targets a cluster has. Pod endpoints into team namespaces keep only ports the NetworkPolicies open. */
export function scrapeTargets(c: ObservedCluster): { services: ServiceTarget[]; pods: PlacedPodTarget[] } {
  const services = ADDON_SERVICES.filter((t) => t.when(c));
  const pods: PlacedPodTarget[] = [];
  for (const target of POD_TARGETS) {
    if (target.id === 'flux' && !c.gitops) continue;
    const namespaces = target.namespaces(c);
    const endpoints = target.endpoints.filter((e) => !target.inWorkflowNamespaces || (e.portNumber !== undefined && (target.portsOpenedByFlows === true || c.metricsPorts.includes(e.portNumber))));
    if (namespaces.length > 0 && endpoints.length > 0) pods.push({ target, namespaces, endpoints });
  }
  return { services, pods };
}

/** Metric sources a cluster has: the built-in ones plus what its targets provide. */
export function activeSources(c: ObservedCluster): Set<MetricSource> {
  const { services, pods } = scrapeTargets(c);
  const provided = [...services.map((s) => s.endpoint.provides), ...pods.flatMap((p) => p.endpoints.map((e) => e.provides))];
  return new Set<MetricSource>(['kube-state-metrics', 'kubelet', 'prometheus', ...provided.filter((p): p is MetricSource => p !== undefined)]);
}
