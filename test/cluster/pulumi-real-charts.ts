/**
 * Which add-ons install their real chart in the Pulumi suites (stack setting `realCharts`, from
 * ../shared/charts) and why the others keep the crds-only stand-in.
 */

/** Add-ons whose real chart comes up here: no admission webhook, aggregated API or storage the kwok cluster cannot serve. */
export const REAL_CHARTS = ['node-feature-discovery', 'gpu-operator', 'dcgm-exporter', 'trivy-operator', 'opencost', 'kserve-crd', 'kserve-llmisvc-crd'] as const;

/** Why the others stay stand-ins: what the real chart registers that nothing here can answer. */
export const STAND_INS: Readonly<Record<string, string>> = {
  'cert-manager': 'validating and mutating webhooks (cert-manager-webhook) with failurePolicy Fail: every later Certificate/Issuer would be refused',
  kueue: 'webhooks on Pods, Jobs and its own kinds, and the visibility APIService: later Jobs, LocalQueues and ClusterQueues would be refused',
  'kube-prometheus-stack': 'the admission webhook for PrometheusRules: the platform alert rules would be refused',
  'policy-controller': 'webhooks on every Pod of opted-in namespaces and on ClusterImagePolicies',
  'kubeflow-trainer': 'JobSet and Trainer webhooks on TrainJobs, JobSets and ClusterTrainingRuntimes: the platform runtimes would be refused',
  kserve: 'webhooks on InferenceServices and ServingRuntimes',
  harbor: 'PersistentVolumeClaims for its registry, database, Redis and Trivy: no storage provisioner on the test cluster, so its pods never start and the release never becomes ready',
};

