import { GitRepository } from '../../imports/source.toolkit.fluxcd.io';
import { Construct } from 'constructs';
import { KubeflowSpec } from '../../environments/kubeflow-schema';
import { GITOPS, KUBEFLOW_CONFIG_IMAGES, KUBEFLOW_MANIFESTS, KUBEFLOW_PARTS, KustomizePart } from '../catalog';
import { FluxKustomization, FluxKustomizationProps, KustomizePatch } from '../delivery/flux-kustomization';
import { mirrorImage, mirrorRepository } from '../supply-chain/image-mirror';
import { LABEL, PART_OF } from '../labels';

export interface KubeflowProps {
  /** Components and settings from the spec. */
  readonly spec: KubeflowSpec;
  /** Pod Security Admission policy version for profile namespaces, e.g. "v1.34". */
  readonly podSecurityVersion: string;
  /** Mirror host every Kubeflow image is redirected to. @default no mirror */
  readonly mirrorHost?: string;
  /** Turn on Istio's Gateway API Inference Extension (InferencePool backends) for LLM serving. @default false */
  readonly inferenceExtension?: boolean;
}

/**
 * Istio routes to an InferencePool (through its endpoint picker) only with this istiod setting; it
 * is off by default and without it istiod refuses InferencePool backendRefs.
 */
export function inferenceExtensionPatch(): KustomizePatch {
  return {
    target: { kind: 'Deployment', name: 'istiod' },
    ops: [{ op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'ENABLE_GATEWAY_API_INFERENCE_EXTENSION', value: 'true' } }],
  };
}

export const KUBEFLOW_SOURCE = 'kubeflow-manifests';

/** Parts an install needs: the shared ones plus those of the chosen components. */
export function kubeflowParts(spec: KubeflowSpec): KustomizePart[] {
  return KUBEFLOW_PARTS.filter((p) => p.for === undefined || spec.components.includes(p.for));
}

/** Kustomization names of a part (one per path). */
export const kustomizationNames = (part: KustomizePart): string[] => (part.paths.length === 1 ? [part.id] : part.paths.map((_, i) => `${part.id}-${i + 1}`));

/**
 * Notebook culling: the controller stops kernels idle longer than the spec allows.
 *
 * No namespace in the target (nor in the one below): Flux adds patches to the kustomization.yaml at
 * the path, where they run before that file's `namespace: kubeflow` is set, so a target naming the
 * namespace matches nothing and the patch is silently dropped (the upstream suite builds both ways).
 */
export function cullingPatch(idleMinutes: number): KustomizePatch {
  return {
    target: { kind: 'ConfigMap', name: 'notebook-controller-config.*' },
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
  return { target: { kind: 'ConfigMap', name: '.*namespace-labels-data.*' }, ops: [{ op: 'add', path: '/data/namespace-labels.yaml', value: `${labels.join('\n')}\n` }] };
}

/**
 * Images Pipelines and Argo start from configuration (KUBEFLOW_CONFIG_IMAGES): pinned where upstream
 * floats, and behind a mirror pointed at the mirror. The Pipelines profile controller starts each
 * profile's artifact UI from FRONTEND_IMAGE (default ghcr.io/kubeflow/kfp-frontend) at KFP_VERSION:
 * behind a mirror it gets the mirrored repository.
 */
export function configImagePatches(partId: string, mirrorHost?: string): KustomizePatch[] {
  const patches = (KUBEFLOW_CONFIG_IMAGES[partId] ?? [])
    .filter((c) => c.pin === true || mirrorHost !== undefined)
    .map((c): KustomizePatch => ({ target: { ...c.target }, ops: [{ op: 'replace', path: c.at, value: mirrorHost === undefined ? c.image : mirrorImage(c.image, mirrorHost) }] }));
  if (partId === 'kf-pipelines' && mirrorHost !== undefined) {
    patches.push({
      target: { kind: 'Deployment', namespace: 'kubeflow', name: 'kubeflow-pipelines-profile-controller' },
      ops: [{ op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'FRONTEND_IMAGE', value: mirrorRepository('ghcr.io/kubeflow/kfp-frontend', mirrorHost) } }],
    });
  }
  return patches;
}

/** One Flux Kustomization of the install: what it builds, after what, with which patches and image redirects. */
export interface KubeflowKustomizationPlan {
  readonly name: string;
  readonly part: KustomizePart;
  /** Path inside the manifests repository. */
  readonly path: string;
  readonly dependsOn: readonly string[];
  readonly patches: readonly KustomizePatch[];
  readonly images: readonly { readonly name: string; readonly newName: string }[];
  /** Namespace of every namespaced object it builds (the part's namespace). @default as built */
  readonly targetNamespace?: string;
}

/**
 * The Kustomizations of an install, in an order that respects their dependencies: a part's first
 * path after the parts it depends on (all of their paths), each further path after the one before
 * it (the Istio install needs the namespace and CRDs the part's earlier paths create). Patches go to
 * the path whose build holds their target.
 */
export function kubeflowKustomizations(props: KubeflowProps): KubeflowKustomizationPlan[] {
  const parts = kubeflowParts(props.spec);
  const byId = new Map(parts.map((p) => [p.id, p]));
  return parts.flatMap((part) => {
    const names = kustomizationNames(part);
    const partDeps = part.dependsOn.filter((d) => byId.has(d)).flatMap((d) => kustomizationNames(byId.get(d) as KustomizePart));
    const images = props.mirrorHost === undefined ? [] : part.imageRepositories.map((name) => ({ name, newName: mirrorRepository(name, props.mirrorHost as string) }));
    return part.paths.map((p, i): KubeflowKustomizationPlan => {
      const patches = [
        ...(part.id === 'kf-notebooks' && p.includes('/notebook-controller/') ? [cullingPatch(props.spec.notebookIdleMinutes)] : []),
        ...(part.id === 'kf-profiles' ? [profileNamespaceLabelsPatch(props.podSecurityVersion)] : []),
        ...(part.id === 'kf-istio' && p.includes('/istio-install/') && props.inferenceExtension === true ? [inferenceExtensionPatch()] : []),
        ...configImagePatches(part.id, props.mirrorHost),
      ];
      return { name: names[i], part, path: p, dependsOn: i === 0 ? partDeps : [...partDeps, names[i - 1]], patches, images, ...(part.namespace !== undefined ? { targetNamespace: part.namespace } : {}) };
    });
  });
}

/** The Flux Kustomization of one planned path (the Pulumi program builds the same object: stacks/pulumi/kubeflow-plan.ts). */
export function kubeflowKustomizationProps(k: KubeflowKustomizationPlan): FluxKustomizationProps {
  return { name: k.name, source: KUBEFLOW_SOURCE, path: k.path, dependsOn: k.dependsOn, patches: k.patches, images: k.images, targetNamespace: k.targetNamespace };
}

/**
 * The Kubeflow install: a GitRepository pinned to the Kubeflow manifests release and one Flux
 * Kustomization per kustomize path, ordered by dependencies, with the platform's settings patched in
 * (notebook culling, restricted profile namespaces, pinned configuration images) and, behind a
 * mirror, every image redirected.
 */
export class Kubeflow extends Construct {
  constructor(scope: Construct, id: string, props: KubeflowProps) {
    super(scope, id);
    new GitRepository(this, 'source', {
      metadata: { name: KUBEFLOW_SOURCE, namespace: GITOPS.namespace, labels: { [LABEL.partOf]: PART_OF } },
      spec: { url: KUBEFLOW_MANIFESTS.url, ref: { tag: KUBEFLOW_MANIFESTS.tag }, interval: GITOPS.interval },
    });
    for (const k of kubeflowKustomizations(props)) new FluxKustomization(this, k.name, kubeflowKustomizationProps(k));
  }
}
