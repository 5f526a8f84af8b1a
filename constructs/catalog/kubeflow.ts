import { KubeflowComponentName } from '../../environments/kubeflow-schema';

/**
 * Kubeflow parts upstream ships only as kustomize, delivered by Flux from the pinned Kubeflow
 * manifests release (GitRepository + one Kustomization per part). The Helm-packaged parts (Trainer,
 * KServe) are ordinary add-ons in addons.ts. Paths follow the kubeflow/manifests layout at the tag.
 *
 * Istio rather than the Gateway API route: at this release the Profiles controller writes Istio
 * AuthorizationPolicies for every profile and the central dashboard's login (oauth2-proxy + Dex)
 * runs through the Istio ingress gateway; the Gateway API is only an option for KServe. The CNI
 * variant keeps NET_ADMIN init containers out of workload pods (restricted Pod Security).
 */
export const KUBEFLOW_MANIFESTS = { url: 'https://github.com/kubeflow/manifests', tag: '26.03' } as const;

export interface KustomizePart {
  readonly id: string;
  /** Spec component that needs it; undefined = part of every Kubeflow install. */
  readonly for?: KubeflowComponentName;
  /** Paths inside the manifests repository. */
  readonly paths: readonly string[];
  /** Parts that must be ready first. */
  readonly dependsOn: readonly string[];
  /** Image repositories the part runs (tags come from the manifests at the pinned tag); the mirror switch redirects them. */
  readonly imageRepositories: readonly string[];
  /**
   * Namespace for the objects the paths build (the Kustomization's targetNamespace), where upstream
   * leaves it out and installs with `kubectl apply -n <namespace>`. @default as built
   */
  readonly namespace?: string;
}

/**
 * Paths are checked against the release by the upstream suite (test/upstream/kubeflow-manifests.test.ts):
 * each builds, each part's imageRepositories are exactly the repositories its pod templates run (the
 * names as the manifests write them: kustomize's images transformer matches them as written), and
 * every object is accepted by a real kube-apiserver in dependency order. The paths of one part are
 * delivered one after the other (path n+1 depends on path n).
 */
export const KUBEFLOW_PARTS: readonly KustomizePart[] = [
  // First, as upstream installs it: the kubeflow namespace (and kubeflow-system) that Istio's install already puts Sidecars into.
  { id: 'kf-namespace', paths: ['common/kubeflow-namespace/base'], dependsOn: [], imageRepositories: [] },
  { id: 'kf-istio', paths: ['common/istio/istio-crds/base', 'common/istio/istio-namespace/base', 'common/istio/istio-install/overlays/oauth2-proxy'], dependsOn: ['kf-namespace'], imageRepositories: ['gcr.io/istio-release/pilot', 'gcr.io/istio-release/proxyv2', 'gcr.io/istio-release/install-cni'] },
  { id: 'kf-auth', paths: ['common/oauth2-proxy/overlays/m2m-dex-only', 'common/dex/overlays/oauth2-proxy'], dependsOn: ['kf-istio'], imageRepositories: ['quay.io/oauth2-proxy/oauth2-proxy', 'ghcr.io/dexidp/dex'] },
  { id: 'kf-base', paths: ['common/kubeflow-roles/base', 'common/istio/kubeflow-istio-resources/base'], dependsOn: ['kf-istio'], imageRepositories: [] },
  { id: 'kf-profiles', paths: ['applications/profiles/upstream/overlays/kubeflow'], dependsOn: ['kf-base'], imageRepositories: ['ghcr.io/kubeflow/kubeflow/profile-controller', 'ghcr.io/kubeflow/kubeflow/kfam'] },
  { id: 'kf-poddefaults', paths: ['applications/admission-webhook/upstream/overlays/cert-manager'], dependsOn: ['kf-base'], imageRepositories: ['ghcr.io/kubeflow/kubeflow/poddefaults-webhook'] },
  { id: 'kf-dashboard', for: 'dashboard', paths: ['applications/centraldashboard/overlays/oauth2-proxy'], dependsOn: ['kf-profiles', 'kf-auth'], imageRepositories: ['ghcr.io/kubeflow/kubeflow/central-dashboard'] },
  { id: 'kf-notebooks', for: 'notebooks', paths: ['applications/jupyter/notebook-controller/upstream/overlays/kubeflow', 'applications/jupyter/jupyter-web-app/upstream/overlays/istio'], dependsOn: ['kf-profiles'], imageRepositories: ['ghcr.io/kubeflow/kubeflow/notebook-controller', 'ghcr.io/kubeflow/kubeflow/jupyter-web-app'] },
  // The Kubernetes-native variant: PipelineVersion/Pipeline CRDs (pipelines.kubeflow.org, see examples/pipelineversion.yaml) and their webhook; the plain overlay installs none.
  {
    id: 'kf-pipelines',
    for: 'pipelines',
    paths: ['applications/pipeline/upstream/env/cert-manager/platform-agnostic-multi-user-k8s-native'],
    dependsOn: ['kf-profiles'],
    imageRepositories: [
      'ghcr.io/kubeflow/kfp-api-server',
      'ghcr.io/kubeflow/kfp-cache-server',
      'ghcr.io/kubeflow/kfp-frontend',
      'ghcr.io/kubeflow/kfp-metadata-envoy',
      'ghcr.io/kubeflow/kfp-metadata-writer',
      'ghcr.io/kubeflow/kfp-persistence-agent',
      'ghcr.io/kubeflow/kfp-scheduled-workflow-controller',
      'ghcr.io/kubeflow/kfp-viewer-crd-controller',
      'ghcr.io/kubeflow/kfp-visualization-server',
      'gcr.io/tfx-oss-public/ml_metadata_store_server',
      'quay.io/argoproj/workflow-controller',
      'ghcr.io/metacontroller/metacontroller',
      'docker.io/alpine/k8s',
      'chrislusf/seaweedfs',
      'mysql',
    ],
  },
  { id: 'kf-katib', for: 'katib', paths: ['applications/katib/upstream/installs/katib-with-kubeflow'], dependsOn: ['kf-profiles'], imageRepositories: ['ghcr.io/kubeflow/katib/katib-controller', 'ghcr.io/kubeflow/katib/katib-db-manager', 'ghcr.io/kubeflow/katib/katib-ui', 'mysql'] },
  // Upstream builds these without a namespace and installs them with `kubectl apply -n kubeflow`.
  { id: 'kf-model-registry', for: 'model-registry', paths: ['applications/model-registry/upstream/overlays/db', 'applications/model-registry/upstream/options/istio'], dependsOn: ['kf-profiles'], imageRepositories: ['ghcr.io/kubeflow/model-registry/server', 'mysql'], namespace: 'kubeflow' },
];

/**
 * Versions the pinned manifests install, as their images say (the upstream suite derives them from
 * the build and compares). 26.03's Istio runs 1.28.0 images although its charts are labelled 1.29.0.
 * Trainer and KServe are not taken from the manifests: the platform installs their Helm charts
 * (addons.ts), checked by the chart suite.
 */
export const KUBEFLOW_VERSIONS = {
  katib: 'v0.19.0',
  notebooks: 'v1.10.0',
  dashboard: 'v1.10.0',
  profiles: 'v1.10.0',
  pipelines: '2.16.0',
  argoWorkflows: 'v3.7.3',
  modelRegistry: 'v0.3.7',
  istio: '1.28.0',
  dex: 'v2.45.0',
  oauth2Proxy: 'v7.14.3',
  trainer: 'v2.3.0',
  kserve: 'v0.20.0',
} as const;

/**
 * Images Kubeflow Pipelines and Argo start from their configuration (an env var, a flag, a ConfigMap
 * key), which kustomize's images transformer does not reach. The platform patches each one in
 * (kubeflow.ts): always where upstream leaves it floating (KFP's cache image has no tag, so pulls
 * latest), and behind a mirror to the mirrored name. `at` is the JSON pointer of the value in the
 * built object; the upstream suite checks each pointer holds the image named here.
 */
export interface ConfigImage {
  readonly image: string;
  readonly target: { readonly kind: string; readonly name: string; readonly namespace: string };
  readonly at: string;
  /** Patched even without a mirror (upstream's value is not pinned). */
  readonly pin?: boolean;
}

export const KUBEFLOW_CONFIG_IMAGES: Readonly<Record<string, readonly ConfigImage[]>> = {
  'kf-pipelines': [
    { image: `ghcr.io/kubeflow/kfp-driver:${KUBEFLOW_VERSIONS.pipelines}`, target: { kind: 'Deployment', name: 'ml-pipeline', namespace: 'kubeflow' }, at: '/spec/template/spec/containers/0/env/26/value' },
    { image: `ghcr.io/kubeflow/kfp-launcher:${KUBEFLOW_VERSIONS.pipelines}`, target: { kind: 'Deployment', name: 'ml-pipeline', namespace: 'kubeflow' }, at: '/spec/template/spec/containers/0/env/27/value' },
    { image: `quay.io/argoproj/argoexec:${KUBEFLOW_VERSIONS.argoWorkflows}`, target: { kind: 'Deployment', name: 'workflow-controller', namespace: 'kubeflow' }, at: '/spec/template/spec/containers/0/args/3' },
    // Upstream: ghcr.io/containerd/busybox with no tag. 1.36 is the tag containerd's own tests use.
    { image: 'ghcr.io/containerd/busybox:1.36', target: { kind: 'ConfigMap', name: 'pipeline-install-config', namespace: 'kubeflow' }, at: '/data/cacheImage', pin: true },
  ],
};

/**
 * Configuration whose images a mirror redirect does not reach: each is one YAML or JSON document in a
 * ConfigMap value, which a JSON patch can only replace whole (the platform would have to carry
 * upstream's whole file). Behind a mirror these pull from their upstream registries unless the
 * cluster's container runtime mirrors those registries; `npm run images` lists them all the same.
 * The upstream suite fails when one of these stops holding an unredirected image, or another appears.
 */
export const KUBEFLOW_UNREDIRECTED_CONFIG: readonly { readonly object: string; readonly reason: string }[] = [
  { object: 'ConfigMap istio-system/istio-sidecar-injector', reason: "the injected sidecar's image is hub + tag inside the `values` JSON" },
  { object: 'ConfigMap istio-system/values', reason: 'the same values, merged, inside `merged-values`' },
  { object: 'ConfigMap kubeflow/katib-config', reason: 'suggestion, early-stopping and metrics-collector images inside katib-config.yaml' },
  { object: 'ConfigMap kubeflow/trial-templates', reason: 'example trial templates (Job and PyTorchJob specs) as YAML strings' },
  { object: 'ConfigMap kubeflow/jupyter-web-app-config', reason: 'the notebook images the spawner offers, inside spawner_ui_config.yaml (users may type any image)' },
];

/** Container images the platform's training runtimes start (pinned). */
export const TRAINING_IMAGES = {
  pytorch: 'docker.io/pytorch/pytorch:2.9.1-cuda12.8-cudnn9-runtime',
} as const;

/** CRD groups the kustomize-delivered Kubeflow parts install (Profiles, PodDefaults, Notebooks, Katib, Pipelines, Istio). */
export const KUBEFLOW_CRD_GROUPS = ['kubeflow.org', 'pipelines.kubeflow.org', 'argoproj.io', 'networking.istio.io', 'security.istio.io'] as const;
