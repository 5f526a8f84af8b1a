/**
 * Where each add-on chart's values name its images, so an air-gapped install can point every one
 * of them at the mirror. `repository` slots take a full repository (or repository prefix, as the GPU
 * operator's do); `registry` slots take only the registry, for charts that split the two; `image`
 * slots take a whole reference with its tag, for charts that name one image in one string.
 */
export interface ImageSlot {
  /** Dotted path in the chart values. */
  readonly path: string;
  /** The upstream repository (repository slots) or registry host (registry slots) the chart defaults to. */
  readonly upstream: string;
  readonly kind: 'repository' | 'registry' | 'image';
}

const repo = (path: string, upstream: string): ImageSlot => ({ path, upstream, kind: 'repository' });
const registry = (path: string, upstream: string): ImageSlot => ({ path, upstream, kind: 'registry' });
const image = (path: string, upstream: string): ImageSlot => ({ path, upstream, kind: 'image' });

export const IMAGE_SLOTS: Readonly<Record<string, readonly ImageSlot[]>> = {
  // One registry for every component (controller, webhook, cainjector, startupapicheck, ACME solver).
  'cert-manager': [registry('imageRegistry', 'quay.io')],
  'node-feature-discovery': [repo('image.repository', 'registry.k8s.io/nfd/node-feature-discovery')],
  'gpu-operator': [
    repo('operator.repository', 'nvcr.io/nvidia'),
    repo('validator.repository', 'nvcr.io/nvidia'),
    repo('driver.repository', 'nvcr.io/nvidia'),
    repo('driver.manager.repository', 'nvcr.io/nvidia/cloud-native'),
    repo('toolkit.repository', 'nvcr.io/nvidia/k8s'),
    repo('devicePlugin.repository', 'nvcr.io/nvidia'),
    repo('dcgm.repository', 'nvcr.io/nvidia/cloud-native'),
    repo('dcgmExporter.repository', 'nvcr.io/nvidia/k8s'),
    repo('gfd.repository', 'nvcr.io/nvidia'),
    repo('migManager.repository', 'nvcr.io/nvidia/cloud-native'),
    repo('nodeStatusExporter.repository', 'nvcr.io/nvidia'),
  ],
  'dra-driver-nvidia-gpu': [repo('image.repository', 'registry.k8s.io/dra-driver-nvidia/dra-driver-nvidia-gpu')],
  kueue: [repo('controllerManager.manager.image.repository', 'registry.k8s.io/kueue/kueue')],
  'kube-prometheus-stack': [
    registry('prometheusOperator.image.registry', 'quay.io'),
    registry('prometheusOperator.prometheusConfigReloader.image.registry', 'quay.io'),
    registry('prometheusOperator.admissionWebhooks.patch.image.registry', 'ghcr.io'),
    registry('prometheusOperator.thanosImage.registry', 'quay.io'),
    registry('prometheus.prometheusSpec.image.registry', 'quay.io'),
    registry('alertmanager.alertmanagerSpec.image.registry', 'quay.io'),
    registry('kube-state-metrics.image.registry', 'registry.k8s.io'),
    registry('prometheus-node-exporter.image.registry', 'quay.io'),
    registry('grafana.image.registry', 'docker.io'),
    registry('grafana.sidecar.image.registry', 'quay.io'),
  ],
  'dcgm-exporter': [repo('image.repository', 'nvcr.io/nvidia/k8s/dcgm-exporter')],
  'trivy-operator': [
    registry('image.registry', 'mirror.gcr.io'),
    registry('trivy.image.registry', 'mirror.gcr.io'),
    registry('trivy.dbRegistry', 'mirror.gcr.io'),
    registry('trivy.javaDbRegistry', 'mirror.gcr.io'),
    registry('nodeCollector.registry', 'ghcr.io'),
    registry('policiesBundle.registry', 'mirror.gcr.io'),
  ],
  opencost: [registry('opencost.exporter.image.registry', 'ghcr.io'), registry('opencost.ui.image.registry', 'ghcr.io')],
  // Harbor is the mirror: its own images come from the seed registry the install starts from.
  harbor: [],
  'kubeflow-trainer': [registry('image.registry', 'ghcr.io'), repo('jobset.image.repository', 'registry.k8s.io/jobset/jobset')],
  'kserve-crd': [],
  kserve: [
    repo('kserve.controller.image', 'docker.io/kserve/kserve-controller'),
    repo('kserve.storage.image', 'docker.io/kserve/storage-initializer'),
    repo('kserve.agent.image', 'docker.io/kserve/agent'),
    repo('kserve.router.image', 'docker.io/kserve/router'),
    image('kserve.controller.rbacProxyImage', 'quay.io/brancz/kube-rbac-proxy:v0.18.0'),
  ],
  'policy-controller': [repo('webhook.image.repository', 'ghcr.io/sigstore/policy-controller/policy-controller')],
  lws: [repo('image.manager.repository', 'registry.k8s.io/lws/lws')],
  'kserve-llmisvc-crd': [],
  'kserve-llmisvc': [repo('kserve.llmisvc.controller.image', 'docker.io/kserve/llmisvc-controller')],
  // Templates only (catalog templateImages): the platform preset carries the mirrored images.
  'kserve-llmisvc-configs': [],
};
