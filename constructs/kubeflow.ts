import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { KubeflowSpec } from '../environments/kubeflow-schema';
import { GITOPS, KUBEFLOW_MANIFESTS, KUBEFLOW_PARTS, KustomizePart } from './catalog';
import { FluxKustomization, KustomizePatch } from './flux-kustomization';
import { mirrorRepository } from './image-mirror';
import { LABEL, PART_OF } from './labels';

export interface KubeflowProps {
  /** Components and settings from the spec. */
  readonly spec: KubeflowSpec;
  /** Pod Security Admission policy version for profile namespaces, e.g. "v1.34". */
  readonly podSecurityVersion: string;
  /** Mirror host every Kubeflow image is redirected to. @default no mirror */
  readonly mirrorHost?: string;
}

export const KUBEFLOW_SOURCE = 'kubeflow-manifests';

/** Parts an install needs: the shared ones plus those of the chosen components. */
export function kubeflowParts(spec: KubeflowSpec): KustomizePart[] {
  return KUBEFLOW_PARTS.filter((p) => p.for === undefined || spec.components.includes(p.for));
}

/** Kustomization names of a part (one per path). */
export const kustomizationNames = (part: KustomizePart): string[] => (part.paths.length === 1 ? [part.id] : part.paths.map((_, i) => `${part.id}-${i + 1}`));

/** Notebook culling: the controller stops kernels idle longer than the spec allows. */
export function cullingPatch(idleMinutes: number): KustomizePatch {
  return {
    target: { kind: 'ConfigMap', namespace: 'kubeflow', name: 'notebook-controller-config.*' },
    ops: [
      { op: 'add', path: '/data/ENABLE_CULLING', value: 'true' },
      { op: 'add', path: '/data/CULL_IDLE_TIME', value: String(idleMinutes) },
      { op: 'add', path: '/data/IDLENESS_CHECK_PERIOD', value: '5' },
    ],
  };
}

/** Profile namespaces get restricted Pod Security like every other team namespace. */
export function profileNamespaceLabelsPatch(podSecurityVersion: string): KustomizePatch {
  const labels = [
    'katib.kubeflow.org/metrics-collector-injection: "enabled"',
    'serving.kubeflow.org/inferenceservice: "enabled"',
    'pipelines.kubeflow.org/enabled: "true"',
    'app.kubernetes.io/part-of: "kubeflow-profile"',
    'pod-security.kubernetes.io/enforce: "restricted"',
    `pod-security.kubernetes.io/enforce-version: "${podSecurityVersion}"`,
  ];
  return { target: { kind: 'ConfigMap', namespace: 'kubeflow', name: '.*namespace-labels-data.*' }, ops: [{ op: 'add', path: '/data/namespace-labels.yaml', value: `${labels.join('\n')}\n` }] };
}

/**
 * The Kubeflow install: a GitRepository pinned to the Kubeflow manifests release and one Flux
 * Kustomization per kustomize path, ordered by dependencies, with the platform's settings patched in
 * (notebook culling, restricted profile namespaces) and, behind a mirror, every image redirected.
 */
export class Kubeflow extends Construct {
  constructor(scope: Construct, id: string, props: KubeflowProps) {
    super(scope, id);
    new ApiObject(this, 'source', {
      apiVersion: GITOPS.sourceApiVersion,
      kind: 'GitRepository',
      metadata: { name: KUBEFLOW_SOURCE, namespace: GITOPS.namespace, labels: { [LABEL.partOf]: PART_OF } },
      spec: { url: KUBEFLOW_MANIFESTS.url, ref: { tag: KUBEFLOW_MANIFESTS.tag }, interval: GITOPS.interval },
    });
    const parts = kubeflowParts(props.spec);
    const byId = new Map(parts.map((p) => [p.id, p]));
    for (const part of parts) {
      const dependsOn = part.dependsOn.filter((d) => byId.has(d)).flatMap((d) => kustomizationNames(byId.get(d) as KustomizePart));
      const patches = part.id === 'kf-notebooks' ? [cullingPatch(props.spec.notebookIdleMinutes)] : part.id === 'kf-profiles' ? [profileNamespaceLabelsPatch(props.podSecurityVersion)] : [];
      const images = props.mirrorHost === undefined ? [] : part.imageRepositories.map((name) => ({ name, newName: mirrorRepository(name, props.mirrorHost as string) }));
      kustomizationNames(part).forEach((name, i) => {
        new FluxKustomization(this, name, { name, source: KUBEFLOW_SOURCE, path: part.paths[i], dependsOn, patches, images });
      });
    }
  }
}
