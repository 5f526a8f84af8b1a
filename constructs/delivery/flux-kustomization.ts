import { Construct } from 'constructs';
import { Kustomization, KustomizationProps, KustomizationSpecSourceRefKind } from '../../imports/kustomize.toolkit.fluxcd.io';
import { GITOPS } from '../catalog';
import { LABEL, PART_OF } from '../labels';

/** A kustomize patch Flux applies after building a path (JSON 6902 ops on the matching objects). */
export interface KustomizePatch {
  readonly target: { readonly kind: string; readonly name?: string; readonly namespace?: string };
  readonly ops: readonly { readonly op: 'add' | 'replace' | 'remove'; readonly path: string; readonly value?: unknown }[];
}

export interface FluxKustomizationProps {
  /** Kustomization name (one per path of a part: `<part>` or `<part>-<n>`). */
  readonly name: string;
  /** GitRepository (in the Flux namespace) holding the manifests. */
  readonly source: string;
  /** Path inside the repository. */
  readonly path: string;
  /** Kustomizations that must be ready first. @default none */
  readonly dependsOn?: readonly string[];
  /** Patches applied to what the path builds. @default none */
  readonly patches?: readonly KustomizePatch[];
  /** Image repository redirects (kustomize images transformer), e.g. to a mirror. @default none */
  readonly images?: readonly { readonly name: string; readonly newName: string }[];
  /** Namespace of every namespaced object the path builds (upstream paths that leave it to `kubectl apply -n`). @default as built */
  readonly targetNamespace?: string;
}

/** The Flux Kustomization's metadata and spec, as the generated class takes them. */
export function fluxKustomizationProps(props: FluxKustomizationProps): KustomizationProps {
  return {
    metadata: { name: props.name, namespace: GITOPS.namespace, labels: { [LABEL.partOf]: PART_OF } },
    spec: {
      interval: GITOPS.interval,
      sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: props.source },
      path: `./${props.path}`,
      prune: true,
      wait: true,
      timeout: '15m',
      ...(props.targetNamespace !== undefined ? { targetNamespace: props.targetNamespace } : {}),
      ...(props.dependsOn !== undefined && props.dependsOn.length > 0 ? { dependsOn: props.dependsOn.map((name) => ({ name })) } : {}),
      ...(props.patches !== undefined && props.patches.length > 0 ? { patches: props.patches.map((p) => ({ target: { ...p.target }, patch: JSON.stringify(p.ops) })) } : {}),
      ...(props.images !== undefined && props.images.length > 0 ? { images: props.images.map((i) => ({ ...i })) } : {}),
    },
  };
}

/** The Flux Kustomization object itself (also what the Pulumi program builds Kubeflow from: stacks/pulumi/kubeflow-plan.ts). */
export function fluxKustomizationObject(props: FluxKustomizationProps) {
  const { metadata, spec } = fluxKustomizationProps(props);
  return { ...Kustomization.GVK, metadata, spec };
}

/**
 * GitOps delivery of one kustomize path of an upstream project that ships no Helm chart: a Flux
 * Kustomization that builds it from a pinned GitRepository, waits for it to be healthy, and prunes
 * what a later version drops.
 */
export class FluxKustomization extends Construct {
  constructor(scope: Construct, id: string, props: FluxKustomizationProps) {
    super(scope, id);
    new Kustomization(this, 'kustomization', fluxKustomizationProps(props));
  }
}
