/**
 * Kubeflow in `npm run test:pulumi`: the stack settings that let the program build it, what the
 * primary cluster must hold afterwards, and the storage the test cluster stands in with.
 *
 * The program builds Kubeflow's Flux Kustomizations with kustomize from the local manifests copy
 * (../shared/kubeflow-manifests, or $HML_KUBEFLOW_MANIFESTS), as a Pulumi user points the stack
 * at a mirror's checkout. What the cluster must hold is built here independently, from the cdk8s
 * (Flux) output of the same cluster with stacks/upstream/kubeflow-build.ts.
 */
import { KUBEFLOW_SOURCE } from '../../constructs/kubeflow/kubeflow';
import { apiGroupOf, ManifestObject, renderEnvironment, toYaml } from '../../stacks/manifests';
import { asApplied, clusterScopedCrdKinds, WEBHOOK_KINDS } from '../../stacks/pulumi/kubeflow-plan';
import { buildKubeflowInstall, isFluxKustomization, kubeflowManifestsDir } from '../../stacks/upstream/kubeflow-build';
import { PlatformSpec } from '../../environments';
import { repoRoot } from '../toolchain/go-build';
import { ensureTools } from '../tools/build';
import { ControlPlane } from './control-plane';

/**
 * The one Kubeflow stack setting that differs from a real cluster's: `kubeflowWebhooks: false`.
 * The test clusters run kwok, whose pods never serve anything, so no admission webhook of the
 * install can answer. These are left out, and why:
 */
export const LEFT_OUT_WEBHOOKS: Readonly<Record<string, string>> = {
  'MutatingWebhookConfiguration/istio-sidecar-injector': 'Istio sidecar injection, failurePolicy Fail on Pods of istio-injection namespaces (kubeflow, kubeflow-system): the ReplicaSets of those namespaces could create no Pod',
  'ValidatingWebhookConfiguration/istio-validator-istio-system': 'istiod validation of Istio resources, failurePolicy Ignore: each AuthorizationPolicy, VirtualService, ... would wait out the webhook timeout',
  'MutatingWebhookConfiguration/admission-webhook-mutating-webhook-configuration': 'PodDefaults, failurePolicy Fail on Pods of profile namespaces',
  'MutatingWebhookConfiguration/cache-webhook-kubeflow': "Pipelines' cache webhook, failurePolicy Ignore on Pods of Pipelines-enabled namespaces: each would wait out the timeout",
  'MutatingWebhookConfiguration/pipelineversions.pipelines.kubeflow.org': 'Pipelines (Kubernetes-native API) defaulting of PipelineVersions, failurePolicy Fail',
  'ValidatingWebhookConfiguration/pipelineversions.pipelines.kubeflow.org': 'Pipelines validation of PipelineVersions, failurePolicy Fail',
  'MutatingWebhookConfiguration/katib.kubeflow.org': "Katib's Experiment defaulter and metrics-collector Pod injector, failurePolicy Fail (the default) on Pods of profile namespaces",
  'ValidatingWebhookConfiguration/katib.kubeflow.org': "Katib's Experiment validator, failurePolicy Fail",
};

export interface KubeflowTestSettings {
  readonly kustomize: string;
  readonly manifestsDir: string;
}

/** Builds kustomize if needed; the manifests copy the stack is pointed at. */
export async function kubeflowTestSettings(): Promise<KubeflowTestSettings> {
  const { kustomize } = await ensureTools();
  return { kustomize, manifestsDir: kubeflowManifestsDir(repoRoot()) };
}

/** `pulumi config set` arguments for the Kubeflow settings of a test stack. */
export function kubeflowConfig(settings: KubeflowTestSettings): [string, string][] {
  return [
    ['kustomize', settings.kustomize],
    ['kubeflowManifests', settings.manifestsDir],
    ['kubeflowWebhooks', 'false'],
  ];
}

const isWebhook = (o: ManifestObject): boolean => apiGroupOf(o.apiVersion) === 'admissionregistration.k8s.io' && WEBHOOK_KINDS.includes(o.kind);
const ref = (o: ManifestObject): string => `${o.kind}/${o.metadata.name}`;

export interface ExpectedKubeflow {
  /** Cluster name -> what the install builds, less the webhook configurations left out. */
  readonly objects: ReadonlyMap<string, readonly ManifestObject[]>;
  /** Cluster name -> the webhook configurations the build holds and the test leaves out. */
  readonly leftOut: ReadonlyMap<string, readonly ManifestObject[]>;
}

/**
 * What kustomize builds for each cluster's Flux Kustomizations of the Kubeflow source (the cdk8s
 * output), split into what the stack applies and the webhook configurations it leaves out. Throws
 * when the build's webhooks are not exactly LEFT_OUT_WEBHOOKS (a new one needs its reason).
 */
export function expectedKubeflow(spec: PlatformSpec, settings: KubeflowTestSettings): ExpectedKubeflow {
  const objects = new Map<string, ManifestObject[]>();
  const leftOut = new Map<string, ManifestObject[]>();
  for (const c of renderEnvironment(spec)) {
    const synth = c.files.flatMap((f) => f.objects);
    if (!synth.some((o) => isFluxKustomization(o) && (o.spec as { sourceRef?: { name?: string } }).sourceRef?.name === KUBEFLOW_SOURCE)) continue;
    // As the API server keeps them (asApplied: no namespace on cluster-scoped custom resources, no rules on aggregated ClusterRoles).
    const raw = buildKubeflowInstall(settings.kustomize, synth, settings.manifestsDir);
    const clusterScoped = clusterScopedCrdKinds(raw);
    const built = raw.map((o) => asApplied(o, clusterScoped));
    const hooks = built.filter(isWebhook);
    const unexplained = hooks.map(ref).filter((r) => LEFT_OUT_WEBHOOKS[r] === undefined);
    const gone = Object.keys(LEFT_OUT_WEBHOOKS).filter((r) => !hooks.some((h) => ref(h) === r));
    if (unexplained.length > 0 || gone.length > 0) throw new Error(`${spec.name}/${c.cluster.name}: LEFT_OUT_WEBHOOKS is out of date: new ${unexplained.join(', ') || '-'}; no longer built ${gone.join(', ') || '-'}`);
    objects.set(c.cluster.name, built.filter((o) => !isWebhook(o)));
    leftOut.set(c.cluster.name, hooks);
  }
  return { objects, leftOut };
}

interface ClaimShape {
  readonly spec?: { readonly accessModes?: readonly string[]; readonly resources?: { readonly requests?: { readonly storage?: string } }; readonly storageClassName?: string };
}

/**
 * The test clusters have no storage provisioner: one hostPath PersistentVolume per claim of the
 * install (pre-bound to it, the claim's size), as a real cluster's default StorageClass would
 * provide. Pulumi waits for each claim to be Bound, and the databases' pods for their volumes.
 */
export async function provisionVolumes(cp: ControlPlane, objects: readonly ManifestObject[]): Promise<number> {
  const claims = objects.filter((o) => o.kind === 'PersistentVolumeClaim' && o.apiVersion === 'v1');
  const volumes = claims.map((c) => {
    const spec = (c as ClaimShape).spec ?? {};
    return {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `test-${c.metadata.namespace ?? 'default'}-${c.metadata.name}` },
      spec: {
        capacity: { storage: spec.resources?.requests?.storage ?? '1Gi' },
        accessModes: [...(spec.accessModes ?? ['ReadWriteOnce'])],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: spec.storageClassName ?? '',
        claimRef: { namespace: c.metadata.namespace ?? 'default', name: c.metadata.name },
        hostPath: { path: `/var/lib/test-volumes/${c.metadata.namespace ?? 'default'}/${c.metadata.name}` },
      },
    };
  });
  if (volumes.length === 0) return 0;
  const res = await cp.kubectl(['apply', '--server-side', '-f', '-'], toYaml(volumes as unknown as ManifestObject[]));
  if (res.code !== 0) throw new Error(`PersistentVolumes for the Kubeflow claims: ${res.stderr}`);
  return volumes.length;
}
