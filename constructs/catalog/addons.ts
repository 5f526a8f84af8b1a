import { ComponentName } from '../../environments/schema';

/**
 * Every upstream component the platform installs, pinned in one place. Delivery (Flux in the
 * synthesized output, Helm releases in the Pulumi program) reads only this table, so an upgrade is
 * one edit here plus the CRD fixtures in test/fixtures/crds/.
 */

/** Pod Security level of an add-on's namespace, and why when it is not `restricted`. */
export interface NamespaceSecurity {
  readonly level: 'restricted' | 'baseline' | 'privileged';
  readonly reason?: string;
}

export interface HelmChartRef {
  /** Helm repository URL (https://...) or OCI registry prefix (oci://...). */
  readonly repository: string;
  readonly name: string;
  readonly version: string;
}

export interface AddonDefinition {
  /** Release name and catalog key. */
  readonly id: string;
  /** Spec toggle (`components.<name>`) that turns it on or off. */
  readonly component: ComponentName;
  readonly chart: HelmChartRef;
  /** Version of the software the chart installs (not the chart version). */
  readonly appVersion: string;
  readonly namespace: string;
  readonly namespaceSecurity: NamespaceSecurity;
  /** API groups of the CRDs the chart installs: objects of these groups wait for this add-on. */
  readonly crdGroups: readonly string[];
  /** Container images the chart runs at this version (registry/repository:tag). */
  readonly images: readonly string[];
  /** Values every install gets; per-cluster values are merged over them by stacks/addon-values.ts. */
  readonly defaultValues: Readonly<Record<string, unknown>>;
  /** Add-ons that must be ready first (catalog ids). */
  readonly dependsOn: readonly string[];
}

const PRIVILEGED_GPU: NamespaceSecurity = {
  level: 'privileged',
  reason: 'GPU driver, container toolkit and device plugin DaemonSets need host paths, host PID and privileged containers',
};

export const ADDONS = [
  {
    id: 'cert-manager',
    component: 'certManager',
    chart: { repository: 'https://charts.jetstack.io', name: 'cert-manager', version: 'v1.21.1' },
    appVersion: 'v1.21.1',
    namespace: 'cert-manager',
    namespaceSecurity: { level: 'restricted' },
    crdGroups: ['cert-manager.io', 'acme.cert-manager.io'],
    images: [
      'quay.io/jetstack/cert-manager-cainjector:v1.21.1',
      'quay.io/jetstack/cert-manager-controller:v1.21.1',
      'quay.io/jetstack/cert-manager-startupapicheck:v1.21.1',
      'quay.io/jetstack/cert-manager-webhook:v1.21.1',
    ],
    defaultValues: { crds: { enabled: true, keep: true }, prometheus: { enabled: true, servicemonitor: { enabled: false } } },
    dependsOn: [],
  },
  {
    id: 'node-feature-discovery',
    component: 'nodeFeatureDiscovery',
    chart: { repository: 'https://kubernetes-sigs.github.io/node-feature-discovery/charts', name: 'node-feature-discovery', version: '0.19.0' },
    appVersion: 'v0.19.0',
    namespace: 'node-feature-discovery',
    namespaceSecurity: { level: 'privileged', reason: 'nfd-worker reads host sysfs, /proc and /usr to discover PCI devices and kernel features' },
    crdGroups: ['nfd.k8s-sigs.io'],
    images: ['registry.k8s.io/nfd/node-feature-discovery:v0.19.0'],
    // Taints let NodeFeatureRules put the GPU taint on on-prem pool nodes.
    defaultValues: { enableNodeFeatureApi: true, master: { config: { enableTaints: true } } },
    dependsOn: [],
  },
  {
    id: 'gpu-operator',
    component: 'gpuOperator',
    chart: { repository: 'https://helm.ngc.nvidia.com/nvidia', name: 'gpu-operator', version: 'v26.7.0' },
    appVersion: 'v26.7.0',
    namespace: 'gpu-operator',
    namespaceSecurity: PRIVILEGED_GPU,
    crdGroups: ['nvidia.com'],
    images: ['nvcr.io/nvidia/gpu-operator:v26.7.0'],
    // NFD is installed once from its own entry, so the operator's bundled copy stays off.
    defaultValues: { nfd: { enabled: false }, operator: { defaultRuntime: 'containerd' }, dcgmExporter: { enabled: false } },
    dependsOn: ['node-feature-discovery'],
  },
  {
    id: 'kueue',
    component: 'kueue',
    chart: { repository: 'oci://registry.k8s.io/kueue/charts', name: 'kueue', version: '0.19.2' },
    appVersion: 'v0.19.2',
    namespace: 'kueue-system',
    namespaceSecurity: { level: 'restricted' },
    crdGroups: ['kueue.x-k8s.io'],
    images: ['registry.k8s.io/kueue/kueue:v0.19.2'],
    defaultValues: {
      enablePrometheus: true,
    },
    dependsOn: ['cert-manager'],
  },
  {
    id: 'kube-prometheus-stack',
    component: 'kubePrometheusStack',
    chart: { repository: 'https://prometheus-community.github.io/helm-charts', name: 'kube-prometheus-stack', version: '90.2.0' },
    appVersion: 'v0.93.0',
    namespace: 'monitoring',
    namespaceSecurity: { level: 'privileged', reason: 'node-exporter uses host network, host PID and host paths to read node metrics' },
    crdGroups: ['monitoring.coreos.com'],
    images: ['quay.io/prometheus-operator/prometheus-operator:v0.93.0'],
    defaultValues: {
      prometheus: { prometheusSpec: { retention: '15d', serviceMonitorSelectorNilUsesHelmValues: false, podMonitorSelectorNilUsesHelmValues: false, ruleSelectorNilUsesHelmValues: false } },
      grafana: { sidecar: { dashboards: { enabled: true, label: 'grafana_dashboard', searchNamespace: 'ALL' } } },
    },
    dependsOn: [],
  },
  {
    id: 'dcgm-exporter',
    component: 'dcgmExporter',
    chart: { repository: 'https://nvidia.github.io/dcgm-exporter/helm-charts', name: 'dcgm-exporter', version: '4.6.1' },
    appVersion: '4.6.1-4.8.4',
    namespace: 'gpu-operator',
    namespaceSecurity: PRIVILEGED_GPU,
    crdGroups: [],
    images: ['nvcr.io/nvidia/k8s/dcgm-exporter:4.6.1-4.8.4-distroless'],
    defaultValues: {
      serviceMonitor: { enabled: true },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      nodeSelector: { 'nvidia.com/gpu.present': 'true' },
    },
    dependsOn: ['gpu-operator', 'kube-prometheus-stack'],
  },
  {
    id: 'trivy-operator',
    component: 'trivyOperator',
    chart: { repository: 'https://aquasecurity.github.io/helm-charts', name: 'trivy-operator', version: '0.34.0' },
    appVersion: '0.32.0',
    namespace: 'trivy-system',
    namespaceSecurity: { level: 'restricted' },
    crdGroups: ['aquasecurity.github.io'],
    images: ['mirror.gcr.io/aquasec/trivy-operator:0.32.0'],
    defaultValues: { serviceMonitor: { enabled: true }, operator: { scanJobsConcurrentLimit: 3, vulnerabilityScannerScanOnlyCurrentRevisions: true } },
    dependsOn: ['kube-prometheus-stack'],
  },
] as const satisfies readonly AddonDefinition[];

export type AddonId = (typeof ADDONS)[number]['id'];

/** Add-on definition by id; throws on an unknown id so a typo fails at synth time. */
export function addon(id: string): AddonDefinition {
  const found = ADDONS.find((a) => a.id === id);
  if (found === undefined) throw new Error(`unknown add-on "${id}": known add-ons are ${ADDONS.map((a) => a.id).join(', ')}`);
  return found;
}

/** Flux, which delivers the add-ons of the synthesized output (installed once per cluster by `flux install`). */
export const GITOPS = {
  /** Namespace of the Flux controllers and of the add-on HelmRepository / HelmRelease objects. */
  namespace: 'flux-system',
  sourceApiVersion: 'source.toolkit.fluxcd.io/v1',
  helmApiVersion: 'helm.toolkit.fluxcd.io/v2',
  /** Controller versions whose CRDs the output is validated against (test/fixtures/crds/flux.yaml). */
  controllers: { sourceController: 'v1.9.1', kustomizeController: 'v1.9.4', helmController: 'v1.6.3' },
  /** How often Flux re-reads the chart index and re-checks each release for drift. */
  interval: '30m',
} as const;

/**
 * CRD groups that come with the cluster's provisioning (Karpenter with EKS/AKS, Cluster API as the
 * management plane, GKE's built-in classes), not from an add-on: their objects go to the custom
 * resources phase but wait for no release.
 */
export const CLUSTER_PROVIDED_CRD_GROUPS = ['karpenter.sh', 'karpenter.k8s.aws', 'karpenter.azure.com', 'cluster.x-k8s.io', 'cloud.google.com'] as const;

/** Node images of cloud GPU pools, pinned like everything else (move them with your image validation). */
export const CLOUD_NODE_IMAGES = {
  /** EKS-optimized Amazon Linux 2023 release; Karpenter picks the NVIDIA variant for GPU instance types. */
  awsAmiAlias: 'al2023@v20251117',
  /** AKS node image family; AKS installs the NVIDIA driver (gpu.mode Driver). */
  azureImageFamily: 'Ubuntu2204',
} as const;
