import { KubeflowComponentName } from '../../environments/kubeflow-schema';
import { ComponentName, Provider } from '../../environments/schema';

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
  /**
   * Where another add-on's chart brings other CRDs of one of these groups (serving.kserve.io:
   * kserve-crd and kserve-llmisvc-crd), the kinds this one brings: objects of them wait for this
   * add-on, and objects of the group's other kinds for the add-on that lists the group without
   * kinds (crd-ownership.ts). @default every kind of its crdGroups no other add-on names
   */
  readonly crdKinds?: readonly string[];
  /**
   * The chart applies CRDs as templates rather than from its crds/ folder, so Helm establishes them
   * before the objects that follow only when it waits for the release (the real-chart suite checks
   * this against the chart's rendered output). @default false: no CRDs, or all in crds/
   */
  readonly crdsInTemplates?: boolean;
  /**
   * Images the chart runs with the platform's values in the shipped environments, operands that
   * operators start included (fully qualified; test/upstream/charts.test.ts checks them against helm
   * renders). The GPU Operator appends the node OS to the driver tag (595.91.07-ubuntu24.04).
   */
  readonly images: readonly string[];
  /** Values every install gets; per-cluster values are merged over them by stacks/addon-values.ts. */
  readonly defaultValues: Readonly<Record<string, unknown>>;
  /** Add-ons that must be ready first (catalog ids). */
  readonly dependsOn: readonly string[];
  /**
   * Add-ons installed first where the cluster has them, without requiring them (catalog ids, earlier
   * in the catalog), and why: an ordering, not a dependency. @default none
   */
  readonly installAfter?: { readonly ids: readonly string[]; readonly reason: string };
  /**
   * Why objects applied after this add-on need it running: its admission webhooks or aggregated
   * API answer for them. The Pulumi release then waits until the chart's workloads are ready (and
   * rolls back when they never are). @default its readiness gates nothing: the Pulumi release is
   * done once Helm has applied the chart (its crds/ established first; see crdsInTemplates)
   */
  readonly readinessGates?: string;
  /** Providers whose clusters get it. @default every provider */
  readonly providers?: readonly Provider[];
  /** Cluster roles that get it. @default primary and burst */
  readonly roles?: readonly ('primary' | 'burst')[];
  /** Value maps whose keys are the user's (the chart's default is an empty map or a config file): not checked key by key. @default none */
  readonly freeFormValues?: readonly { readonly path: string; readonly reason: string }[];
  /**
   * Helm hooks the deliveries leave out (Flux `disableHooks`, Pulumi `disableWebhooks`), and why; the
   * images of left-out hooks are neither run nor mirrored. @default hooks run
   */
  readonly hooks?: { readonly disabled: true; readonly reason: string };
  /** For Kubeflow parts: the spec's kubeflow.components entry that turns it on. @default none */
  readonly kubeflowComponent?: KubeflowComponentName;
  /** Installed only on clusters that have an enabled pool of this kind. @default every cluster */
  readonly onlyWith?: 'dra-pool';
  /**
   * The chart's images sit in configuration templates no pod runs as they are, and no chart value
   * redirects them: why they are exempt from mirroring, and what replaces them. @default none (every image is run and mirrored)
   */
  readonly templateImages?: { readonly reason: string };
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
    crdsInTemplates: true,
    images: [
      'quay.io/jetstack/cert-manager-acmesolver:v1.21.1',
      'quay.io/jetstack/cert-manager-cainjector:v1.21.1',
      'quay.io/jetstack/cert-manager-controller:v1.21.1',
      'quay.io/jetstack/cert-manager-startupapicheck:v1.21.1',
      'quay.io/jetstack/cert-manager-webhook:v1.21.1',
    ],
    defaultValues: { crds: { enabled: true, keep: true }, prometheus: { enabled: true, servicemonitor: { enabled: false } } },
    dependsOn: [],
    readinessGates: 'its webhook validates and mutates every Certificate and Issuer the platform and kserve apply after it',
  },
  {
    id: 'node-feature-discovery',
    component: 'nodeFeatureDiscovery',
    chart: { repository: 'https://kubernetes-sigs.github.io/node-feature-discovery/charts', name: 'node-feature-discovery', version: '0.19.0' },
    appVersion: 'v0.19.0',
    namespace: 'node-feature-discovery',
    namespaceSecurity: { level: 'privileged', reason: 'nfd-worker reads host sysfs, /proc and /usr to discover PCI devices and kernel features' },
    crdGroups: ['nfd.k8s-sigs.io'],
    images: [
      'registry.k8s.io/nfd/node-feature-discovery:v0.19.0',
    ],
    // Taints let NodeFeatureRules put the GPU taint on on-prem pool nodes.
    defaultValues: { master: { enableTaints: true } },
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
    images: [
      'nvcr.io/nvidia/cloud-native/k8s-driver-manager:v0.12.0',
      'nvcr.io/nvidia/cloud-native/k8s-mig-manager:v0.15.0',
      'nvcr.io/nvidia/driver:595.91.07',
      'nvcr.io/nvidia/gpu-operator:v26.7.0',
      'nvcr.io/nvidia/k8s-device-plugin:v0.20.0',
      'nvcr.io/nvidia/k8s/container-toolkit:v1.20.0',
    ],
    // NFD is installed once from its own entry, so the operator's bundled copy stays off.
    // The operator detects the container runtime itself (v26 has no operator.defaultRuntime).
    defaultValues: { nfd: { enabled: false }, dcgmExporter: { enabled: false } },
    dependsOn: ['node-feature-discovery'],
  },
  {
    id: 'dra-driver-nvidia-gpu',
    component: 'draDriver',
    chart: { repository: 'oci://registry.k8s.io/dra-driver-nvidia/charts', name: 'dra-driver-nvidia-gpu', version: '0.4.1' },
    appVersion: '0.4.1',
    namespace: 'dra-driver-nvidia-gpu',
    namespaceSecurity: { level: 'privileged', reason: 'the kubelet plugin is privileged: it reads the GPUs through NVML, writes CDI specs and registers with the kubelet over host paths' },
    // Its chart brings the ComputeDomain CRDs even with compute domains off.
    crdGroups: ['resource.nvidia.com'],
    images: [
      'registry.k8s.io/dra-driver-nvidia/dra-driver-nvidia-gpu:v0.4.1',
    ],
    defaultValues: {
      // GPU allocation refuses to render without the override: the chart cannot know that the
      // device plugin is off on the DRA nodes; the platform keeps it off there (constructs/gpu/dra-allocation.ts).
      gpuResourcesEnabledOverride: true,
      // Pinned rather than detected from the cluster: DRA pools need Kubernetes 1.34+ (the spec check), and offline renders stay deterministic.
      resourceApiVersion: 'resource.k8s.io/v1',
      // Compute domains are multi-node NVLink (GB200 NVL72 and the like), which no pool model has.
      resources: { gpus: { enabled: true }, computeDomains: { enabled: false } },
    },
    freeFormValues: [{ path: 'kubeletPlugin.nodeSelector', reason: "node labels of the user's choosing (the chart's default is {})" }],
    dependsOn: ['gpu-operator'],
    onlyWith: 'dra-pool',
  },
  {
    id: 'kueue',
    component: 'kueue',
    chart: { repository: 'oci://registry.k8s.io/kueue/charts', name: 'kueue', version: '0.19.2' },
    appVersion: 'v0.19.2',
    namespace: 'kueue-system',
    namespaceSecurity: { level: 'restricted' },
    crdGroups: ['kueue.x-k8s.io'],
    crdsInTemplates: true,
    images: [
      'registry.k8s.io/kueue/kueue:v0.19.2',
    ],
    // The platform's own ServiceMonitor scrapes Kueue (constructs/observability): the chart's would be
    // created before kube-prometheus-stack has installed the ServiceMonitor CRD.
    defaultValues: {
      enablePrometheus: false,
    },
    dependsOn: ['cert-manager'],
    readinessGates: 'its webhooks admit Jobs, Pods and its own LocalQueues and ClusterQueues, and its visibility API is an APIService',
  },
  {
    id: 'kube-prometheus-stack',
    component: 'kubePrometheusStack',
    chart: { repository: 'https://prometheus-community.github.io/helm-charts', name: 'kube-prometheus-stack', version: '88.5.3' },
    appVersion: 'v0.93.1',
    namespace: 'monitoring',
    namespaceSecurity: { level: 'privileged', reason: 'node-exporter uses host network, host PID and host paths to read node metrics' },
    crdGroups: ['monitoring.coreos.com'],
    images: [
      'docker.io/grafana/grafana:13.2.0',
      'ghcr.io/jkroepke/kube-webhook-certgen:1.8.7',
      'quay.io/kiwigrid/k8s-sidecar:2.10.1',
      'quay.io/prometheus-operator/prometheus-config-reloader:v0.93.1',
      'quay.io/prometheus-operator/prometheus-operator:v0.93.1',
      'quay.io/prometheus/alertmanager:v0.34.0',
      'quay.io/prometheus/node-exporter:v1.12.1-distroless',
      'quay.io/prometheus/prometheus:v3.14.0-distroless',
      'quay.io/thanos/thanos:v0.42.4',
      'registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.20.0',
    ],
    defaultValues: {
      // Retention and storage come from the spec (observability), merged in by stacks/addon-selection.ts.
      prometheus: { prometheusSpec: { serviceMonitorSelectorNilUsesHelmValues: false, podMonitorSelectorNilUsesHelmValues: false, ruleSelectorNilUsesHelmValues: false } },
      grafana: { sidecar: { dashboards: { enabled: true, label: 'grafana_dashboard', searchNamespace: 'ALL' } } },
    },
    freeFormValues: [{ path: 'prometheus.prometheusSpec.storageSpec', reason: "a StorageSpec of the Prometheus CRD (the chart's default is {}), validated by the CRD" }],
    dependsOn: [],
    readinessGates: 'the operator\'s admission webhook validates the platform\'s PrometheusRules',
  },
  {
    id: 'dcgm-exporter',
    component: 'dcgmExporter',
    chart: { repository: 'https://nvidia.github.io/dcgm-exporter/helm-charts', name: 'dcgm-exporter', version: '4.8.2' },
    appVersion: '4.8.2',
    namespace: 'gpu-operator',
    namespaceSecurity: PRIVILEGED_GPU,
    crdGroups: [],
    images: [
      'nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless',
    ],
    // Scraped by the platform's ServiceMonitor, which keeps the workload's pod labels (honorLabels)
    // and adds the node name for per-pool views.
    defaultValues: {
      serviceMonitor: { enabled: false },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      nodeSelector: { 'nvidia.com/gpu.present': 'true' },
    },
    freeFormValues: [{ path: 'nodeSelector', reason: "node labels of the user's choosing (the chart's default is {})" }],
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
    images: [
      'ghcr.io/aquasecurity/node-collector:0.3.1',
      'mirror.gcr.io/aquasec/trivy-checks:1',
      'mirror.gcr.io/aquasec/trivy-operator:0.32.0',
      'mirror.gcr.io/aquasec/trivy:0.72.0',
    ],
    // Scraped by the platform's ServiceMonitor (constructs/observability), like every add-on.
    defaultValues: {
      serviceMonitor: { enabled: false },
      operator: { scanJobsConcurrentLimit: 3, vulnerabilityScannerScanOnlyCurrentRevisions: true },
      // The chart leaves runAsNonRoot and seccomp unset, which restricted admission refuses (found by the real-chart suite).
      podSecurityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
    },
    freeFormValues: [
      { path: 'trivy.registry.mirror', reason: "upstream registry -> mirror map (the chart's default is {})" },
      { path: 'podSecurityContext', reason: "the operator pod's PodSecurityContext (the chart's default is {})" },
    ],
    dependsOn: ['kube-prometheus-stack'],
  },
  {
    id: 'opencost',
    component: 'openCost',
    chart: { repository: 'https://opencost.github.io/opencost-helm-chart', name: 'opencost', version: '2.5.17' },
    appVersion: '1.120.1',
    namespace: 'opencost',
    namespaceSecurity: {
      level: 'baseline',
      reason: 'the OpenCost chart sets no runAsNonRoot or runAsUser on its container, which restricted admission requires; it needs no host access',
    },
    crdGroups: [],
    images: [
      'ghcr.io/opencost/opencost:1.120.1@sha256:b0701f9b54e43c9abee98f5784792a5b469ca8951e87da32b161c1fa539ab0e1',
    ],
    defaultValues: {
      opencost: {
        // Reads usage from the kube-prometheus-stack Prometheus; cost metrics are scraped back by the platform's ServiceMonitor.
        prometheus: { internal: { enabled: true, serviceName: 'kube-prometheus-stack-prometheus', namespaceName: 'monitoring', port: 9090 } },
        metrics: { serviceMonitor: { enabled: false } },
        exporter: { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } },
        // Showback is in Grafana (constructs/observability); the UI would be one more image to mirror.
        ui: { enabled: false },
      },
      podSecurityContext: { seccompProfile: { type: 'RuntimeDefault' } },
    },
    freeFormValues: [
      { path: 'opencost.exporter.securityContext', reason: "a container SecurityContext (the chart's default is {})" },
      { path: 'podSecurityContext', reason: "a PodSecurityContext (the chart's default is {})" },
    ],
    dependsOn: ['kube-prometheus-stack'],
  },
  {
    id: 'harbor',
    component: 'harbor',
    chart: { repository: 'https://helm.goharbor.io', name: 'harbor', version: '1.18.2' },
    appVersion: '2.14.2',
    namespace: 'harbor',
    namespaceSecurity: { level: 'baseline', reason: 'the Harbor chart does not set seccomp profiles or drop capabilities on every container (its database and redis)' },
    crdGroups: [],
    images: [
      'docker.io/goharbor/harbor-core:v2.14.2',
      'docker.io/goharbor/harbor-db:v2.14.2',
      'docker.io/goharbor/harbor-exporter:v2.14.2',
      'docker.io/goharbor/harbor-jobservice:v2.14.2',
      'docker.io/goharbor/harbor-portal:v2.14.2',
      'docker.io/goharbor/harbor-registryctl:v2.14.2',
      'docker.io/goharbor/nginx-photon:v2.14.2',
      'docker.io/goharbor/redis-photon:v2.14.2',
      'docker.io/goharbor/registry-photon:v2.14.2',
      'docker.io/goharbor/trivy-adapter-photon:v2.14.2',
    ],
    // Trivy scans every pushed and proxied image; the admin password comes from an existing Secret.
    defaultValues: { expose: { type: 'clusterIP', tls: { enabled: true, certSource: 'auto' } }, trivy: { enabled: true }, existingSecretAdminPassword: 'harbor-admin', existingSecretAdminPasswordKey: 'password', metrics: { enabled: true } },
    dependsOn: [],
    providers: ['onprem'],
  },
  {
    id: 'policy-controller',
    component: 'imageSignatures',
    chart: { repository: 'https://sigstore.github.io/helm-charts', name: 'policy-controller', version: '0.10.5' },
    appVersion: '0.13.1',
    namespace: 'cosign-system',
    namespaceSecurity: { level: 'restricted' },
    crdGroups: ['policy.sigstore.dev'],
    crdsInTemplates: true,
    images: [
      'ghcr.io/sigstore/policy-controller/policy-controller@sha256:0bcd60beb93f4427c29cf3a669743caf58490e98ded4380c33c09f092734a6ab',
    ],
    defaultValues: {
      // webhook.podSecurityContext is the container's securityContext; the chart sets neither runAsNonRoot nor seccomp, which restricted admission refuses (found by the real-chart suite).
      webhook: { configData: { 'no-match-policy': 'warn' }, podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } },
    },
    freeFormValues: [
      { path: 'webhook.configData', reason: "the policy webhook's config-policy-controller ConfigMap (the chart's default is {})" },
      { path: 'webhook.podSecurityContext', reason: 'the webhook container SecurityContext, passed through as YAML by the chart' },
    ],
    hooks: {
      disabled: true,
      reason: 'its only hooks are a post-delete lease clean-up Job on cgr.dev/chainguard/kubectl:latest-dev, a floating tag with no pinned release to name; stale leases in cosign-system expire by themselves',
    },
    dependsOn: ['cert-manager'],
    readinessGates: 'its webhooks admit ClusterImagePolicies and every Pod of opted-in namespaces',
  },
  {
    id: 'kubeflow-trainer',
    component: 'kubeflow',
    kubeflowComponent: 'trainer',
    chart: { repository: 'oci://ghcr.io/kubeflow/charts', name: 'kubeflow-trainer', version: '2.3.0' },
    appVersion: 'v2.3.0',
    namespace: 'kubeflow-system',
    namespaceSecurity: { level: 'restricted' },
    crdGroups: ['trainer.kubeflow.org', 'jobset.x-k8s.io'],
    crdsInTemplates: true,
    images: [
      'ghcr.io/kubeflow/trainer/trainer-controller-manager:v2.3.0',
      'registry.k8s.io/jobset/jobset:v0.12.0',
    ],
    // The chart brings the JobSet controller TrainJobs run on; burst clusters need it too (MultiKueue dispatches TrainJobs).
    defaultValues: { jobset: { install: true } },
    dependsOn: ['cert-manager'],
    readinessGates: 'its JobSet and Trainer webhooks admit the platform\'s ClusterTrainingRuntimes and every TrainJob',
  },
  {
    id: 'kserve-crd',
    component: 'kubeflow',
    kubeflowComponent: 'kserve',
    chart: { repository: 'oci://ghcr.io/kserve/charts', name: 'kserve-crd', version: 'v0.20.0' },
    appVersion: 'v0.20.0',
    namespace: 'kserve',
    namespaceSecurity: { level: 'restricted' },
    crdGroups: ['serving.kserve.io'],
    crdsInTemplates: true,
    images: [],
    defaultValues: {},
    dependsOn: [],
    roles: ['primary'],
  },
  {
    id: 'kserve',
    component: 'kubeflow',
    kubeflowComponent: 'kserve',
    chart: { repository: 'oci://ghcr.io/kserve/charts', name: 'kserve-resources', version: 'v0.20.0' },
    appVersion: 'v0.20.0',
    namespace: 'kserve',
    namespaceSecurity: { level: 'restricted' },
    crdGroups: [],
    images: [
      'docker.io/kserve/agent:v0.20.0',
      'docker.io/kserve/kserve-controller:v0.20.0',
      'docker.io/kserve/router:v0.20.0',
      'docker.io/kserve/storage-initializer:v0.20.0',
      'quay.io/brancz/kube-rbac-proxy:v0.18.0',
    ],
    // RawDeployment: plain Deployments + HPA, so Knative is optional; Istio (installed for Kubeflow) routes traffic.
    defaultValues: { kserve: { controller: { deploymentMode: 'RawDeployment', gateway: { ingressGateway: { className: 'istio' } } } } },
    dependsOn: ['cert-manager', 'kserve-crd'],
    readinessGates: 'its webhooks admit InferenceServices and ServingRuntimes',
    roles: ['primary'],
  },
  {
    id: 'lws',
    component: 'llmServing',
    chart: { repository: 'oci://registry.k8s.io/lws/charts', name: 'lws', version: '0.8.0' },
    // The chart's own appVersion (the image tag is v0.8.0).
    appVersion: '0.8.0',
    namespace: 'lws-system',
    namespaceSecurity: { level: 'restricted' },
    crdGroups: ['leaderworkerset.x-k8s.io'],
    images: [
      'registry.k8s.io/lws/lws:v0.8.0',
    ],
    // Every cluster Kueue runs on: Kueue integrates LeaderWorkerSets, and MultiKueue watches each integrated kind on the burst clusters.
    // The chart sets no seccomp profile, which restricted admission refuses.
    defaultValues: { podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } },
    freeFormValues: [{ path: 'podSecurityContext', reason: "the controller pod's PodSecurityContext, passed through as YAML by the chart" }],
    dependsOn: [],
  },
  {
    id: 'kserve-llmisvc-crd',
    component: 'llmServing',
    chart: { repository: 'oci://ghcr.io/kserve/charts', name: 'kserve-llmisvc-crd', version: 'v0.20.0' },
    appVersion: 'v0.20.0',
    namespace: 'kserve',
    namespaceSecurity: { level: 'restricted' },
    crdGroups: ['serving.kserve.io'],
    crdsInTemplates: true,
    // Its chart also renders ClusterStorageContainer, adopted from kserve-crd when that is installed (a lookup in the template).
    crdKinds: ['LLMInferenceService', 'LLMInferenceServiceConfig'],
    images: [],
    defaultValues: {},
    dependsOn: [],
    installAfter: {
      ids: ['kserve-crd'],
      reason: 'both charts template the ClusterStorageContainer CRD and skip it only when a lookup finds it owned by the other release: installed at the same time, both render it and Helm refuses the second (found by pulumi up for real)',
    },
    roles: ['primary'],
  },
  {
    id: 'kserve-llmisvc',
    component: 'llmServing',
    chart: { repository: 'oci://ghcr.io/kserve/charts', name: 'kserve-llmisvc-resources', version: 'v0.20.0' },
    appVersion: 'v0.20.0',
    namespace: 'kserve',
    namespaceSecurity: { level: 'restricted' },
    // The chart brings the Inference Extension CRDs (InferencePool v1) the controller and Istio read.
    crdGroups: ['inference.networking.k8s.io', 'inference.networking.x-k8s.io', 'llm-d.ai'],
    crdsInTemplates: true,
    images: [
      'docker.io/kserve/llmisvc-controller:v0.20.0',
    ],
    // The shared inferenceservice-config ConfigMap is the kserve release's when Kubeflow's KServe is on (stacks/addon-selection.ts).
    defaultValues: { kserve: { createSharedResources: true, llmisvc: { createGIECRDs: true } } },
    dependsOn: ['cert-manager', 'kserve-llmisvc-crd'],
    roles: ['primary'],
  },
  {
    id: 'kserve-llmisvc-configs',
    component: 'llmServing',
    chart: { repository: 'oci://ghcr.io/kserve/charts', name: 'kserve-runtime-configs', version: 'v0.20.0' },
    appVersion: 'v0.20.0',
    namespace: 'kserve',
    namespaceSecurity: { level: 'restricted' },
    crdGroups: [],
    images: [
      'ghcr.io/llm-d/llm-d-cuda:v0.8.0',
      'ghcr.io/llm-d/llm-d-latency-predictor-prediction-server:v0.8.0',
      'ghcr.io/llm-d/llm-d-latency-predictor-training-server:v0.8.0',
      'ghcr.io/llm-d/llm-d-router-disagg-sidecar:v0.9.0',
      'ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.9.0',
      'ghcr.io/llm-d/llm-d-uds-tokenizer:vllm-v0.19.1',
    ],
    // Only the well-known LLMInferenceServiceConfigs the controller merges into every service; the predictive runtimes stay with the kserve release.
    defaultValues: { kserve: { llmisvcConfigs: { enabled: true }, servingruntime: { enabled: false } } },
    templateImages: {
      reason: 'they are container templates inside LLMInferenceServiceConfig objects, with no chart value to redirect them; the platform preset (constructs/serving/llm-runtime-preset.ts) sets every container image the platform uses from the catalog, mirrored, and the trusted-image policy refuses any other in team namespaces',
    },
    dependsOn: ['kserve-llmisvc'],
    roles: ['primary'],
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

/** Images of the platform's own pods (not add-on charts). */
export const PLATFORM_IMAGES = {
  /** Runs the Harbor API calls that create the proxy-cache projects. */
  harborConfigurator: 'docker.io/curlimages/curl:8.17.0',
} as const;
