import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { addon, ADDONS, GITOPS, NamespaceSecurity, PLATFORM_IMAGES } from '../constructs/catalog';
import { HarborProxyCache } from '../constructs/harbor-proxy-cache';
import { parseImage } from '../constructs/image-mirror';
import { ImageSignaturePolicy, SIGNATURE_OPT_IN_LABEL } from '../constructs/image-signature-policy';
import { TrustedImagePolicy } from '../constructs/trusted-image-policy';
import { Kubeflow } from '../constructs/kubeflow';
import { KUBEFLOW_NAMESPACE_MAP, PROFILE_OWNER_ANNOTATION, TeamProfile } from '../constructs/team-profile';
import { TrainingRuntimes } from '../constructs/training-runtimes';
import { endpointHost } from '../constructs/image-mirror';
import { GpuNodePool } from '../constructs/gpu-node-pool';
import { GpuSharingConfig } from '../constructs/gpu-sharing-config';
import { KueueQueues } from '../constructs/kueue-queues';
import { MultiKueueDispatch } from '../constructs/multi-kueue-dispatch';
import { planQueues } from '../constructs/queue-plan';
import { FluxHelmRelease } from '../constructs/flux-helm-release';
import { LeastPrivilegeRbac } from '../constructs/least-privilege-rbac';
import { Observability } from '../constructs/observability/observability';
import { stageNetworkFlows } from '../constructs/network-flows';
import { PLATFORM_NAMESPACES, workflowNamespaceName } from '../constructs/platform-namespaces';
import { SystemNamespace } from '../constructs/system-namespace';
import { WorkflowNamespace } from '../constructs/workflow-namespace';
import { ClusterSpec, clusterStages, PlatformSpec } from '../environments';
import { addonsFor, clusterValues } from './addon-selection';

export interface MlPlatformProps {
  /** The validated environment. */
  readonly spec: PlatformSpec;
  /** Which of its clusters this chart is for. */
  readonly cluster: ClusterSpec;
  /**
   * How add-ons are delivered: `flux` writes HelmRepository/HelmRelease objects (the `cdk8s synth`
   * output); `external` leaves them to the caller (the Pulumi program installs Helm releases).
   * @default 'flux'
   */
  readonly addonDelivery?: 'flux' | 'external';
}

/** Pod Security Admission pins the policy to the cluster's minor version, e.g. v1.34. */
export const podSecurityVersion = (cluster: ClusterSpec): string => `v${cluster.kubernetesVersion}`;

/** The whole platform for one cluster, composed from the spec. */
export class MlPlatform extends Chart {
  /** Namespaces of the team workflow stages on this cluster. */
  readonly workflowNamespaces: readonly string[];

  constructor(scope: Construct, id: string, props: MlPlatformProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { spec, cluster } = props;
    const psaVersion = podSecurityVersion(cluster);
    const delivery = props.addonDelivery ?? 'flux';
    const addons = addonsFor(spec, cluster);
    const stages = clusterStages(spec, cluster);

    const systemNamespaces = new Map<string, NamespaceSecurity>();
    if ((props.addonDelivery ?? 'flux') === 'flux') systemNamespaces.set(GITOPS.namespace, { level: 'restricted' });
    systemNamespaces.set(PLATFORM_NAMESPACES.ci, { level: 'restricted' });
    if (stages.includes('serving')) systemNamespaces.set(PLATFORM_NAMESPACES.gateway, { level: 'restricted' });
    for (const addon of addons) {
      const existing = systemNamespaces.get(addon.namespace);
      // Two add-ons may share a namespace (GPU operator and DCGM exporter); the looser level wins, with its reason.
      if (existing === undefined || LEVEL_RANK[addon.namespaceSecurity.level] > LEVEL_RANK[existing.level]) systemNamespaces.set(addon.namespace, addon.namespaceSecurity);
    }
    for (const [name, security] of [...systemNamespaces].sort(([a], [b]) => a.localeCompare(b))) {
      new SystemNamespace(this, `ns-${name}`, { name, security, podSecurityVersion: psaVersion });
    }

    if ((props.addonDelivery ?? 'flux') === 'flux') {
      const delivered = new Set(addons.map((a) => a.id));
      for (const addon of addons) {
        new FluxHelmRelease(this, `addon-${addon.id}`, {
          addon,
          values: clusterValues(addon, spec, cluster),
          dependsOn: addon.dependsOn.filter((d) => delivered.has(d)),
        });
      }
    }

    // Images: only trusted registries in team namespaces; signatures where the spec asks; Harbor's proxy caches on-prem.
    const signaturesOn = spec.components.imageSignatures && spec.images.signed.length > 0;
    new TrustedImagePolicy(this, 'trusted-images', { allowedRegistries: [cluster.registry.endpoint, ...spec.images.extraTrustedRegistries], requireDigest: spec.images.requireDigest });
    if (signaturesOn) new ImageSignaturePolicy(this, 'signatures', { signed: spec.images.signed });
    const harbor = addons.find((a) => a.id === 'harbor');
    if (harbor !== undefined) {
      const upstreams = [...new Set([...addons, ...ADDONS.filter((a) => spec.components[a.component])].flatMap((a) => a.images).concat(Object.values(PLATFORM_IMAGES)).map((i) => parseImage(i).host))];
      new HarborProxyCache(this, 'harbor-proxy-cache', { namespace: harbor.namespace, upstreams, adminSecret: String(harbor.defaultValues.existingSecretAdminPassword) });
    }

    // Kubeflow on the primary (its kustomize parts are GitOps-delivered); training runtimes wherever TrainJobs run.
    const kubeflowOn = spec.components.kubeflow;
    const withProfiles = kubeflowOn && cluster.role === 'primary' && delivery === 'flux' && stages.includes('training');
    if (kubeflowOn && cluster.role === 'primary' && delivery === 'flux') {
      new Kubeflow(this, 'kubeflow', { spec: spec.kubeflow, podSecurityVersion: psaVersion, mirrorHost: spec.images.mirror ? endpointHost(cluster.registry.endpoint) : undefined });
    }
    if (addons.some((a) => a.id === 'kubeflow-trainer')) new TrainingRuntimes(this, 'training-runtimes');

    const names: string[] = [];
    for (const team of spec.teams) {
      for (const stage of stages) {
        const quota = team.quotas[stage];
        if (quota === undefined) throw new Error(`${spec.name}: teams.${team.name}.quotas.${stage} is missing`);
        const ns = new WorkflowNamespace(this, `${team.name}-${stage}`, {
          team: team.name,
          stage,
          costCenter: team.costCenter,
          quota,
          podSecurityVersion: psaVersion,
          flows: stageNetworkFlows({ team: team.name, stage, stages, objectStoreCidrs: spec.network.objectStoreCidrs, metricsPorts: spec.network.metricsPorts }),
          imagePullSecret: cluster.registry.pullSecretName,
          namespaceLabels: signaturesOn ? { [SIGNATURE_OPT_IN_LABEL]: 'true' } : {},
          // The team's Kubeflow Profile adopts its training namespace.
          namespaceAnnotations: withProfiles && stage === KUBEFLOW_NAMESPACE_MAP.profile ? { [PROFILE_OWNER_ANNOTATION]: team.groups.mlEngineers[0] } : {},
        });
        names.push(ns.name);
      }
    }
    this.workflowNamespaces = names;
    if (withProfiles) {
      for (const team of spec.teams) {
        const quota = team.quotas.training;
        if (quota !== undefined) new TeamProfile(this, `profile-${team.name}`, { team: team.name, costCenter: team.costCenter, ownerGroup: team.groups.mlEngineers[0], quota });
      }
    }

    // GPUs: pools rendered for the provider, sharing configs for the operator, and Kueue queues.
    const components = spec.components;
    for (const pool of cluster.gpuPools) new GpuNodePool(this, `gpu-pool-${pool.name}`, { cluster, pool });
    if (components.gpuOperator) new GpuSharingConfig(this, 'gpu-sharing', { pools: cluster.gpuPools.filter((p) => p.enabled), namespace: addon('gpu-operator').namespace });
    if (components.kueue) {
      const plan = planQueues(spec, cluster, stages);
      new KueueQueues(this, 'queues', { plan });
      if (plan.multiKueue !== undefined) new MultiKueueDispatch(this, 'multikueue', { clusters: plan.multiKueue.clusters });
    }

    // Metrics, alerts and dashboards on top of kube-prometheus-stack.
    if (components.kubePrometheusStack) {
      new Observability(this, 'observability', {
        spec: spec.observability,
        namespace: addon('kube-prometheus-stack').namespace,
        cluster: {
          components,
          role: cluster.role,
          stages,
          workflowNamespaces: spec.teams.flatMap((t) => stages.map((stage) => ({ namespace: workflowNamespaceName(t.name, stage), stage }))),
          metricsPorts: spec.network.metricsPorts,
          gitops: (props.addonDelivery ?? 'flux') === 'flux',
        },
      });
    }

    new LeastPrivilegeRbac(this, 'rbac', {
      platformAdmins: spec.platformAdmins,
      teams: spec.teams.map((t) => ({ name: t.name, costCenter: t.costCenter, groups: t.groups, stages })),
    });
  }
}

const LEVEL_RANK = { restricted: 0, baseline: 1, privileged: 2 } as const;
