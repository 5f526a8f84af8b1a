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
}

export const KUBEFLOW_PARTS: readonly KustomizePart[] = [
  { id: 'kf-istio', paths: ['common/istio/istio-crds/base', 'common/istio/istio-namespace/base', 'common/istio/istio-install/overlays/oauth2-proxy'], dependsOn: [], imageRepositories: ['docker.io/istio/pilot', 'docker.io/istio/proxyv2', 'docker.io/istio/install-cni'] },
  { id: 'kf-auth', paths: ['common/oauth2-proxy/overlays/m2m-dex-only', 'common/dex/overlays/oauth2-proxy'], dependsOn: ['kf-istio'], imageRepositories: ['quay.io/oauth2-proxy/oauth2-proxy', 'ghcr.io/dexidp/dex'] },
  { id: 'kf-base', paths: ['common/kubeflow-namespace/base', 'common/kubeflow-roles/base', 'common/istio/kubeflow-istio-resources/base'], dependsOn: ['kf-istio'], imageRepositories: [] },
  { id: 'kf-profiles', paths: ['applications/profiles/upstream/overlays/kubeflow'], dependsOn: ['kf-base'], imageRepositories: ['ghcr.io/kubeflow/kubeflow/profile-controller', 'ghcr.io/kubeflow/kubeflow/kfam'] },
  { id: 'kf-poddefaults', paths: ['applications/admission-webhook/upstream/overlays/cert-manager'], dependsOn: ['kf-base'], imageRepositories: ['ghcr.io/kubeflow/kubeflow/poddefaults-webhook'] },
  { id: 'kf-dashboard', for: 'dashboard', paths: ['applications/centraldashboard/overlays/oauth2-proxy'], dependsOn: ['kf-profiles', 'kf-auth'], imageRepositories: ['ghcr.io/kubeflow/kubeflow/centraldashboard'] },
  { id: 'kf-notebooks', for: 'notebooks', paths: ['applications/jupyter/notebook-controller/upstream/overlays/kubeflow', 'applications/jupyter/jupyter-web-app/upstream/overlays/istio'], dependsOn: ['kf-profiles'], imageRepositories: ['ghcr.io/kubeflow/kubeflow/notebook-controller', 'ghcr.io/kubeflow/kubeflow/jupyter-web-app'] },
  { id: 'kf-pipelines', for: 'pipelines', paths: ['applications/pipeline/upstream/env/cert-manager/platform-agnostic-multi-user'], dependsOn: ['kf-profiles'], imageRepositories: ['ghcr.io/kubeflow/kfp-api-server', 'ghcr.io/kubeflow/kfp-frontend', 'ghcr.io/kubeflow/kfp-persistence-agent', 'ghcr.io/kubeflow/kfp-scheduled-workflow-controller', 'quay.io/argoproj/workflow-controller', 'quay.io/argoproj/argoexec'] },
  { id: 'kf-katib', for: 'katib', paths: ['applications/katib/upstream/installs/katib-with-kubeflow'], dependsOn: ['kf-profiles'], imageRepositories: ['ghcr.io/kubeflow/katib/katib-controller', 'ghcr.io/kubeflow/katib/katib-db-manager', 'ghcr.io/kubeflow/katib/katib-ui'] },
  { id: 'kf-model-registry', for: 'model-registry', paths: ['applications/model-registry/upstream/overlays/db', 'applications/model-registry/upstream/options/istio'], dependsOn: ['kf-profiles'], imageRepositories: ['ghcr.io/kubeflow/model-registry/server'] },
];

/** Versions the pinned manifests install, for the record (the CRD fixtures are taken at these tags). */
export const KUBEFLOW_VERSIONS = {
  trainer: 'v2.3.0',
  katib: 'v0.19.0',
  notebooks: 'v1.11.0',
  dashboard: 'v2.0.0',
  pipelines: '2.17.0',
  argoWorkflows: 'v4.0.5',
  kserve: 'v0.20.0',
  istio: '1.30.3',
} as const;

/** Container images the platform's training runtimes start (pinned). */
export const TRAINING_IMAGES = {
  pytorch: 'docker.io/pytorch/pytorch:2.9.1-cuda12.8-cudnn9-runtime',
} as const;

/** CRD groups the kustomize-delivered Kubeflow parts install (Profiles, PodDefaults, Notebooks, Katib, Pipelines, Istio). */
export const KUBEFLOW_CRD_GROUPS = ['kubeflow.org', 'pipelines.kubeflow.org', 'argoproj.io', 'networking.istio.io', 'security.istio.io'] as const;
