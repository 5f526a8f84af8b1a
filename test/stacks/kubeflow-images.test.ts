import { imageRepository, imageTag, kubeflowImages, unpinnedReason } from '../../stacks/upstream/kubeflow-images';
import { kubeflowOverlay } from '../../stacks/upstream/kubeflow-build';
import { ManifestObject } from '../../stacks/manifests';

const deployment = (name: string, container: Record<string, unknown>): ManifestObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'kubeflow' },
  spec: { template: { spec: { containers: [{ name: 'main', ...container }] } } },
});

describe('kubeflowImages', () => {
  const objects: ManifestObject[] = [
    deployment('ml-pipeline', { image: 'ghcr.io/kubeflow/kfp-api-server:2.16.0', env: [{ name: 'V2_DRIVER_IMAGE', value: 'ghcr.io/kubeflow/kfp-driver:2.16.0' }, { name: 'CACHE_IMAGE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'cacheImage' } } }] }),
    deployment('workflow-controller', { image: 'quay.io/argoproj/workflow-controller:v3.7.3', args: ['--executor-image', 'quay.io/argoproj/argoexec:v3.7.3'] }),
    deployment('profile-controller', { image: 'docker.io/alpine/k8s:1.32.3', env: [{ name: 'KFP_VERSION', value: '2.16.0' }, { name: 'FRONTEND_IMAGE', value: 'm.example/ghcr-io/kubeflow/kfp-frontend' }] }),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'kubeflow' }, data: { cacheImage: 'ghcr.io/containerd/busybox' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'katib-config', namespace: 'kubeflow' }, data: { 'katib-config.yaml': 'runtime:\n  suggestions:\n  - algorithmName: random\n    image: ghcr.io/kubeflow/katib/suggestion-hyperopt:v0.19.0\n    imagePullPolicy: IfNotPresent\n' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'spawner', namespace: 'kubeflow' }, data: { 'spawner_ui_config.yaml': 'spawnerFormDefaults:\n  image:\n    value: a.io/nb:v1\n    options:\n    - a.io/nb:v1\n    - a.io/nb2:v1\n  imagePullPolicy:\n    value: IfNotPresent\n' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-sidecar-injector', namespace: 'istio-system' }, data: { values: '{"global":{"hub":"gcr.io/istio-release","tag":"1.29.0","proxy":{"image":"proxyv2"}}}', config: 'templates:\n  grpc: |\n    image: "{{ .ProxyImage }}"\n' } },
  ];
  const found = kubeflowImages(objects);
  const refs = (runs: 'pod' | 'config') => [...new Set(found.filter((i) => i.runs === runs).map((i) => i.image))].sort();

  it('lists pod-template images', () => {
    expect(refs('pod')).toEqual(['docker.io/alpine/k8s:1.32.3', 'ghcr.io/kubeflow/kfp-api-server:2.16.0', 'quay.io/argoproj/workflow-controller:v3.7.3']);
  });

  it('lists images components start from env vars, flags, ConfigMap YAML and Istio values, skipping templates and pull policies', () => {
    expect(refs('config')).toEqual([
      'a.io/nb2:v1',
      'a.io/nb:v1',
      'gcr.io/istio-release/proxyv2:1.29.0',
      'ghcr.io/containerd/busybox',
      'ghcr.io/kubeflow/katib/suggestion-hyperopt:v0.19.0',
      'ghcr.io/kubeflow/kfp-driver:2.16.0',
      'm.example/ghcr-io/kubeflow/kfp-frontend:2.16.0',
      'quay.io/argoproj/argoexec:v3.7.3',
    ]);
    expect(found.find((i) => i.image === 'quay.io/argoproj/argoexec:v3.7.3')?.field).toBe('containers[main] flag --executor-image');
  });

  it('splits and judges references', () => {
    expect(imageRepository('mysql:8.4')).toBe('mysql');
    expect(imageRepository('localhost:5000/a/b@sha256:00')).toBe('localhost:5000/a/b');
    expect(imageTag('gcr.io/x/y:1.2')).toBe('1.2');
    expect(unpinnedReason('ghcr.io/containerd/busybox')).toBe('no tag (pulls latest)');
    expect(unpinnedReason('a.io/b:latest')).toBe('floating tag latest');
    expect(unpinnedReason('a.io/b:1.2-dev')).toBe('development tag 1.2-dev');
    expect(unpinnedReason('a.io/b:v1.10.0')).toBeUndefined();
  });
});

describe('kubeflowOverlay', () => {
  it('takes the Flux Kustomization path as its only resource and carries its patches and images as they are', () => {
    const overlay = kubeflowOverlay({ metadata: { name: 'kf-x' }, spec: { path: './applications/x', patches: [{ target: { kind: 'ConfigMap', name: 'c' }, patch: '[]' }], images: [{ name: 'a.io/b', newName: 'm/a-io/b' }] } }, '../../tree/26.03');
    expect(overlay).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['../../tree/26.03/applications/x'],
      patches: [{ target: { kind: 'ConfigMap', name: 'c' }, patch: '[]' }],
      images: [{ name: 'a.io/b', newName: 'm/a-io/b' }],
    });
  });
});
