/**
 * Kubeflow in the Pulumi deployment, planned without side effects.
 *
 * The cdk8s output delivers Kubeflow's kustomize-only parts (Profiles, PodDefaults, dashboard,
 * Notebooks, Pipelines, Katib, Model Registry, Istio, auth) as Flux Kustomizations of the pinned
 * kubeflow/manifests release. The Pulumi program delivers the same: it takes exactly those
 * Kustomization objects (planKubeflow), has kustomize build each one the way Flux would
 * (kubeflow-install.ts, at program run time), and applies what each builds in the Kustomizations'
 * dependency order (splitKubeflowBuild says how: CRDs and Namespaces first, then the built-in kinds,
 * then the objects of CRD kinds).
 */
import { ADDONS, KUBEFLOW_CRD_GROUPS } from '../../constructs/catalog';
import { fluxKustomizationObject } from '../../constructs/delivery/flux-kustomization';
import { kubeflowKustomizationProps, kubeflowKustomizations } from '../../constructs/kubeflow/kubeflow';
import { ClusterSpec, PlatformSpec } from '../../environments';
import { kubeflowProps } from '../ml-platform';
import { apiGroupOf, ManifestObject } from '../manifests';
import { FluxKustomizationObject } from '../upstream/kubeflow-build';

/** One Flux Kustomization of the install, as the cdk8s output holds it. */
export interface KubeflowKustomization extends FluxKustomizationObject {
  readonly spec: FluxKustomizationObject['spec'] & { readonly dependsOn?: readonly { readonly name: string }[] };
}

/** The Kubeflow part of one cluster's deployment plan. */
export interface KubeflowPlan {
  /** The Kustomizations, in an order that respects their dependsOn. */
  readonly kustomizations: readonly KubeflowKustomization[];
  /** The platform's own objects of Kubeflow kinds (team Profiles, their PodDefaults): applied after the install. */
  readonly resources: readonly ManifestObject[];
}

/** Objects of the CRD groups the Kubeflow parts install (a Profile, a PodDefault, an Istio policy). */
export const ofKubeflowCrds = (o: ManifestObject): boolean => (KUBEFLOW_CRD_GROUPS as readonly string[]).includes(apiGroupOf(o.apiVersion));

/**
 * The install of a cluster, or undefined where Kubeflow does not run (burst clusters, or
 * components.kubeflow off). `platformObjects` are the cluster's other planned objects: those of
 * Kubeflow kinds are returned as `resources`.
 */
export function planKubeflow(spec: PlatformSpec, cluster: ClusterSpec, platformObjects: readonly ManifestObject[]): KubeflowPlan | undefined {
  const props = kubeflowProps(spec, cluster);
  const resources = platformObjects.filter(ofKubeflowCrds);
  if (props === undefined) {
    if (resources.length > 0) throw new Error(`${spec.name}/${cluster.name}: ${resources.map((o) => `${o.kind} ${o.metadata.name}`).join(', ')} need Kubeflow's CRDs, and Kubeflow does not run on this cluster`);
    return undefined;
  }
  const kustomizations = kubeflowKustomizations(props).map((k) => fluxKustomizationObject(kubeflowKustomizationProps(k)) as KubeflowKustomization);
  return { kustomizations, resources };
}

/** Kinds a webhook configuration of the install is (stack setting `kubeflowWebhooks: false` leaves them out). */
export const WEBHOOK_KINDS: readonly string[] = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

const FIRST_KINDS = new Set(['CustomResourceDefinition', 'Namespace']);

/** What the program applies for one Kustomization, in three steps. */
export interface KustomizationDeployment {
  readonly name: string;
  /** Kustomizations this one waits for (all of what they apply). */
  readonly dependsOn: readonly string[];
  /** CRDs and Namespaces (a ConfigGroup), first. */
  readonly first: readonly ManifestObject[];
  /** Objects of built-in kinds (a ConfigGroup), after `first`. */
  readonly objects: readonly ManifestObject[];
  /** Objects of CRD kinds (one CustomResource each), after `first` and after the releases of `addons`. */
  readonly customResources: readonly ManifestObject[];
  /** Add-ons whose CRDs some custom resources are of (cert-manager's Certificates and Issuers). */
  readonly addons: readonly string[];
  /** Webhook configurations left out (stack setting kubeflowWebhooks: false). */
  readonly leftOut: readonly ManifestObject[];
}

export interface KubeflowDeployment {
  readonly kustomizations: readonly KustomizationDeployment[];
  /** The platform's objects of Kubeflow kinds, after every Kustomization. */
  readonly resources: readonly ManifestObject[];
  /**
   * Objects both the install and the platform deliver (the kubeflow-system Namespace: Kubeflow's
   * and the Trainer add-on's). Applied once, as the platform's object with the install's labels and
   * annotations added where the platform sets no value of its own.
   */
  readonly shared: readonly ManifestObject[];
}

export interface SplitOptions {
  /** Keys (objectKey) of everything else the cluster's plan applies. */
  readonly platformKeys: ReadonlySet<string>;
  /** Add-ons installed on the cluster (their ids). */
  readonly addons: ReadonlySet<string>;
  /** Apply the webhook configurations. @default true */
  readonly webhooks?: boolean;
}

export const objectKey = (o: ManifestObject): string => `${apiGroupOf(o.apiVersion)}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;

/**
 * Kinds of the API server itself: core, the un-dotted groups (apps, batch, policy, autoscaling)
 * and *.k8s.io, unless a CRD of the install defines the group (metacontroller.k8s.io).
 */
const builtInGroup = (group: string): boolean => group === '' || !group.includes('.') || group.endsWith('.k8s.io');

interface CrdShape {
  readonly spec: { readonly group: string; readonly scope?: string; readonly names: { readonly kind: string } };
}

/** `group/Kind` of every cluster-scoped CRD among objs. */
export function clusterScopedCrdKinds(objs: readonly ManifestObject[]): Set<string> {
  const crds = objs.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => (o as unknown as CrdShape).spec);
  return new Set(crds.filter((c) => c.scope === 'Cluster').map((c) => `${c.group}/${c.names.kind}`));
}

/**
 * What the program applies of a built object, where the build and the API server disagree so that
 * Pulumi would never settle (each found by a second `pulumi up` or a refresh on a real API server):
 * - an object of a cluster-scoped CRD kind carries no namespace (kustomize's namespace transformer
 *   set one on Pipelines' DecoratorController, not knowing the CRD's scope; the API server drops it,
 *   so the refresh saw a change every time);
 * - a ClusterRole with an aggregationRule carries no rules: the clusterrole-aggregation-controller
 *   owns them (upstream's `rules: []` made every later up a field conflict with the controller);
 * - a Role or ClusterRole with `rules: []` carries none: the API server stores no empty list, so
 *   Jupyter's notebook-ui-admin ClusterRole was updated by every up and changed by every refresh.
 */
export function asApplied(o: ManifestObject, clusterScopedCrdKinds: ReadonlySet<string>): ManifestObject {
  const group = apiGroupOf(o.apiVersion);
  if (o.metadata.namespace !== undefined && clusterScopedCrdKinds.has(`${group}/${o.kind}`)) {
    const { namespace: _dropped, ...metadata } = o.metadata;
    return { ...o, metadata };
  }
  const emptyRules = Array.isArray(o.rules) && o.rules.length === 0;
  if (group === 'rbac.authorization.k8s.io' && ((o.kind === 'ClusterRole' && o.aggregationRule !== undefined && 'rules' in o) || ((o.kind === 'ClusterRole' || o.kind === 'Role') && emptyRules))) {
    const { rules: _owned, ...rest } = o;
    return rest as ManifestObject;
  }
  return o;
}

/**
 * Splits what kustomize built for each Kustomization (`built`, by name) into the three steps, and
 * checks what a fresh cluster would refuse: an object of a CRD group that neither the
 * Kustomization, nor one it depends on, nor an installed add-on brings, and an object twice.
 * Objects are taken as asApplied() gives them.
 */
export function splitKubeflowBuild(plan: KubeflowPlan, built: ReadonlyMap<string, readonly ManifestObject[]>, options: SplitOptions): KubeflowDeployment {
  const webhooks = options.webhooks ?? true;
  const crdGroupsOf = new Map<string, Set<string>>();
  const seen = new Set<string>();
  const shared: ManifestObject[] = [];
  const problems: string[] = [];
  const clusterScoped = clusterScopedCrdKinds([...built.values()].flat());
  const addonOfGroup = new Map(ADDONS.filter((a) => options.addons.has(a.id)).flatMap((a) => (a.crdGroups as readonly string[]).map((g) => [g, a.id] as const)));
  const kustomizations = plan.kustomizations.map((k): KustomizationDeployment => {
    const name = k.metadata.name;
    const raw = built.get(name);
    if (raw === undefined) throw new Error(`Kustomization ${name} was not built`);
    const objs = raw.map((o) => asApplied(o, clusterScoped));
    const dependsOn = (k.spec.dependsOn ?? []).map((d) => d.name);
    const upstream = (n: string): string[] => [n, ...(plan.kustomizations.find((x) => x.metadata.name === n)?.spec.dependsOn ?? []).flatMap((d) => upstream(d.name))];
    const visibleGroups = new Set(dependsOn.flatMap(upstream).flatMap((n) => [...(crdGroupsOf.get(n) ?? [])]));
    const own = new Set(objs.filter((o) => o.kind === 'CustomResourceDefinition' && apiGroupOf(o.apiVersion) === 'apiextensions.k8s.io').map((o) => (o as unknown as CrdShape).spec.group));
    crdGroupsOf.set(name, own);
    const [first, objects, customResources, leftOut] = [[], [], [], []] as ManifestObject[][];
    const addons = new Set<string>();
    for (const o of objs) {
      const key = objectKey(o);
      if (seen.has(key)) problems.push(`${name}: ${key} is built by an earlier Kustomization too`);
      seen.add(key);
      const group = apiGroupOf(o.apiVersion);
      if (options.platformKeys.has(key)) shared.push(o);
      else if (!webhooks && group === 'admissionregistration.k8s.io' && WEBHOOK_KINDS.includes(o.kind)) leftOut.push(o);
      else if (FIRST_KINDS.has(o.kind) && builtInGroup(group)) first.push(o);
      else if (own.has(group) || visibleGroups.has(group)) customResources.push(o);
      else if (addonOfGroup.has(group)) {
        customResources.push(o);
        addons.add(addonOfGroup.get(group) as string);
      } else if (builtInGroup(group)) objects.push(o);
      else problems.push(`${name}: ${key} is of a CRD group (${group}) that neither it, a Kustomization it depends on, nor an installed add-on brings`);
    }
    return { name, dependsOn, first, objects, customResources, addons: [...addons].sort(), leftOut };
  });
  if (problems.length > 0) throw new Error(`the Kubeflow build cannot be applied as planned:\n  ${problems.join('\n  ')}`);
  return { kustomizations, resources: plan.resources, shared };
}

/**
 * A platform object that the install builds too, with the install's labels and annotations added
 * beneath its own (the platform's value wins where both set a key).
 */
export function withSharedMetadata(platformObject: ManifestObject, installed: ManifestObject): ManifestObject {
  const labels = { ...(installed.metadata.labels ?? {}), ...(platformObject.metadata.labels ?? {}) };
  const annotations = { ...(installed.metadata.annotations ?? {}), ...(platformObject.metadata.annotations ?? {}) };
  return {
    ...platformObject,
    metadata: {
      ...platformObject.metadata,
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
  };
}
