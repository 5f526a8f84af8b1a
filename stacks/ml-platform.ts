import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { AddonDefinition, addon, ADDONS, GITOPS, installedBefore, LLM_SERVING, NamespaceSecurity, PLATFORM_IMAGES } from '../constructs/catalog';
import { FluxHelmRelease } from '../constructs/delivery/flux-helm-release';
import { deviceClassBudget, DraPoolPlan, planDra } from '../constructs/gpu/dra-allocation';
import { DraDeviceClasses } from '../constructs/gpu/dra-device-classes';
import { GpuNodePool } from '../constructs/gpu/gpu-node-pool';
import { GpuSharingConfig } from '../constructs/gpu/gpu-sharing-config';
import { HarborProxyCache } from '../constructs/supply-chain/harbor-proxy-cache';
import { endpointHost, mirrorImage, parseImage } from '../constructs/supply-chain/image-mirror';
import { ImageSignaturePolicy, SIGNATURE_OPT_IN_LABEL } from '../constructs/supply-chain/image-signature-policy';
import { Kubeflow, KubeflowProps } from '../constructs/kubeflow/kubeflow';
import { KueueQueues } from '../constructs/queues/kueue-queues';
import { LeastPrivilegeRbac } from '../constructs/access/least-privilege-rbac';
import { MultiKueueDispatch } from '../constructs/queues/multi-kueue-dispatch';
import { stageNetworkFlows } from '../constructs/tenancy/network-flows';
import { Observability } from '../constructs/observability/observability';
import { PLATFORM_NAMESPACES, workflowNamespaceName } from '../constructs/tenancy/platform-namespaces';
import { planQueues } from '../constructs/queues/queue-plan';
import { SystemNamespace } from '../constructs/tenancy/system-namespace';
import { KUBEFLOW_NAMESPACE_MAP, PROFILE_OWNER_ANNOTATION, TeamProfile } from '../constructs/tenancy/team-profile';
import { TrainingRuntimes } from '../constructs/kubeflow/training-runtimes';
import { TrustedImagePolicy } from '../constructs/supply-chain/trusted-image-policy';
import { WorkflowNamespace } from '../constructs/tenancy/workflow-namespace';
import { WorkloadAccessPolicy } from '../constructs/access/workload-access-policy';
import { GatewayApiCrds } from '../constructs/serving/gateway-api-crds';
import { InferenceGateway } from '../constructs/serving/inference-gateway';
import { LlmInferenceService } from '../constructs/serving/llm-inference-service';
import { LlmRuntimePreset } from '../constructs/serving/llm-runtime-preset';
import { hostsLlmServing, llmServingNamespaces, LlmServicePlan, planLlmServices } from '../constructs/serving/llm-serving-plan';
import { ClusterSpec, clusterStages, PlatformSpec, Stage } from '../environments';
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

/** The Kubeflow install of a cluster: on the primary when components.kubeflow is on, else undefined. */
export function kubeflowProps(spec: PlatformSpec, cluster: ClusterSpec): KubeflowProps | undefined {
  if (!spec.components.kubeflow || cluster.role !== 'primary') return undefined;
  return {
    spec: spec.kubeflow,
    podSecurityVersion: podSecurityVersion(cluster),
    mirrorHost: spec.images.mirror ? endpointHost(cluster.registry.endpoint) : undefined,
    // The shared inference Gateway is Kubeflow's Istio (constructs/serving/inference-gateway.ts).
    inferenceExtension: spec.components.llmServing,
  };
}

/** The whole platform for one cluster, composed from the spec: one section per concern, in apply order. */
export class MlPlatform extends Chart {
  /** Namespaces of the team workflow stages on this cluster. */
  readonly workflowNamespaces: readonly string[];

  private readonly spec: PlatformSpec;
  private readonly cluster: ClusterSpec;
  private readonly gitops: boolean;
  private readonly psaVersion: string;
  private readonly addons: readonly AddonDefinition[];
  private readonly stages: readonly Stage[];
  private readonly dra: readonly DraPoolPlan[];
  private readonly llmServices: readonly LlmServicePlan[];

  constructor(scope: Construct, id: string, props: MlPlatformProps) {
    super(scope, id, { disableResourceNameHashes: true });
    this.spec = props.spec;
    this.cluster = props.cluster;
    this.gitops = (props.addonDelivery ?? 'flux') === 'flux';
    this.psaVersion = podSecurityVersion(props.cluster);
    this.addons = addonsFor(props.spec, props.cluster);
    this.stages = clusterStages(props.spec, props.cluster);
    this.dra = planDra(props.spec, props.cluster, this.stages);
    this.llmServices = this.stages.includes('serving') ? planLlmServices(props.spec, props.cluster) : [];

    this.systemNamespaces();
    if (this.gitops) this.addonReleases();
    const signaturesOn = this.imageTrust();
    const withProfiles = this.kubeflow();
    this.workflowNamespaces = this.teamNamespaces(signaturesOn, withProfiles);
    if (withProfiles) this.teamProfiles();
    this.gpus();
    this.llmServing();
    this.observability();
    new LeastPrivilegeRbac(this, 'rbac', {
      platformAdmins: this.spec.platformAdmins,
      teams: this.spec.teams.map((t) => ({ name: t.name, costCenter: t.costCenter, groups: t.groups, stages: this.stages })),
    });
    // What the personas' workloads may reach (Secrets, service accounts, exposure, GPUs): the matrix's other half.
    new WorkloadAccessPolicy(this, 'workload-access', { teams: this.spec.teams.map((t) => ({ name: t.name, groups: t.groups })), clusterPullSecret: this.cluster.registry.pullSecretName });
  }

  /** Namespaces of the platform's own parts: restricted unless the catalog says why not. */
  private systemNamespaces(): void {
    const namespaces = new Map<string, NamespaceSecurity>();
    if (this.gitops) namespaces.set(GITOPS.namespace, { level: 'restricted' });
    namespaces.set(PLATFORM_NAMESPACES.ci, { level: 'restricted' });
    if (this.stages.includes('serving')) namespaces.set(PLATFORM_NAMESPACES.gateway, { level: 'restricted' });
    // Cluster API objects of self-managed (pivoted) on-prem clusters live in the cluster itself.
    for (const pool of this.cluster.gpuPools) if (pool.clusterApi !== undefined) namespaces.set(pool.clusterApi.namespace, { level: 'restricted' });
    for (const a of this.addons) {
      const existing = namespaces.get(a.namespace);
      // Two add-ons may share a namespace (GPU operator and DCGM exporter); the looser level wins, with its reason.
      if (existing === undefined || LEVEL_RANK[a.namespaceSecurity.level] > LEVEL_RANK[existing.level]) namespaces.set(a.namespace, a.namespaceSecurity);
    }
    for (const [name, security] of [...namespaces].sort(([x], [y]) => x.localeCompare(y))) {
      new SystemNamespace(this, `ns-${name}`, { name, security, podSecurityVersion: this.psaVersion });
    }
  }

  /** GitOps delivery of the add-ons, in catalog dependency order. */
  private addonReleases(): void {
    const delivered = new Set(this.addons.map((a) => a.id));
    for (const a of this.addons) {
      new FluxHelmRelease(this, `addon-${a.id}`, { addon: a, values: clusterValues(a, this.spec, this.cluster), chartMirror: this.spec.images.chartMirror, dependsOn: installedBefore(a).filter((d) => delivered.has(d)) });
    }
  }

  /** Only trusted registries in team namespaces; signatures where the spec asks; Harbor's proxy caches on-prem. Returns whether signatures are on. */
  private imageTrust(): boolean {
    const { spec, cluster } = this;
    new TrustedImagePolicy(this, 'trusted-images', { allowedRegistries: [cluster.registry.endpoint, ...spec.images.extraTrustedRegistries], requireDigest: spec.images.requireDigest });
    const signaturesOn = spec.components.imageSignatures && spec.images.signed.length > 0;
    if (signaturesOn) new ImageSignaturePolicy(this, 'signatures', { signed: spec.images.signed });
    const harbor = this.addons.find((a) => a.id === 'harbor');
    if (harbor !== undefined) {
      const enabled = ADDONS.filter((a) => spec.components[a.component]);
      const upstreams = [...new Set([...enabled.flatMap((a) => a.images), ...Object.values(PLATFORM_IMAGES)].map((i) => parseImage(i).host))];
      new HarborProxyCache(this, 'harbor-proxy-cache', { namespace: harbor.namespace, upstreams, adminSecret: String(harbor.defaultValues.existingSecretAdminPassword) });
    }
    return signaturesOn;
  }

  /**
   * Kubeflow on the primary: its kustomize parts as Flux Kustomizations (without Flux the caller
   * builds the same Kustomizations: stacks/pulumi/kubeflow-plan.ts); training runtimes wherever
   * TrainJobs run. Returns whether team Profiles are made.
   */
  private kubeflow(): boolean {
    const props = kubeflowProps(this.spec, this.cluster);
    if (props !== undefined && this.gitops) new Kubeflow(this, 'kubeflow', props);
    if (this.addons.some((a) => a.id === 'kubeflow-trainer')) new TrainingRuntimes(this, 'training-runtimes');
    return props !== undefined && this.stages.includes('training');
  }

  /** A WorkflowNamespace per team and stage. */
  private teamNamespaces(signaturesOn: boolean, withProfiles: boolean): string[] {
    const { spec, cluster, stages } = this;
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
          deviceClassDevices: deviceClassBudget(this.dra, workflowNamespaceName(team.name, stage), quota.gpu),
          podSecurityVersion: this.psaVersion,
          flows: stageNetworkFlows({
            team: team.name,
            stage,
            stages,
            objectStoreCidrs: spec.network.objectStoreCidrs,
            metricsPorts: spec.network.metricsPorts,
            llmServing: this.llmServices.some((s) => s.namespace === workflowNamespaceName(team.name, stage)),
          }),
          imagePullSecret: cluster.registry.pullSecretName,
          namespaceLabels: signaturesOn ? { [SIGNATURE_OPT_IN_LABEL]: 'true' } : {},
          // The team's Kubeflow Profile adopts its training namespace.
          namespaceAnnotations: withProfiles && stage === KUBEFLOW_NAMESPACE_MAP.profile ? { [PROFILE_OWNER_ANNOTATION]: team.groups.mlEngineers[0] } : {},
        });
        names.push(ns.name);
      }
    }
    return names;
  }

  private teamProfiles(): void {
    for (const team of this.spec.teams) {
      const quota = team.quotas.training;
      const namespace = workflowNamespaceName(team.name, KUBEFLOW_NAMESPACE_MAP.profile);
      if (quota !== undefined) new TeamProfile(this, `profile-${team.name}`, { team: team.name, costCenter: team.costCenter, ownerGroup: team.groups.mlEngineers[0], quota, deviceClassDevices: deviceClassBudget(this.dra, namespace, quota.gpu) });
    }
  }

  /** GPU pools rendered for the provider, DRA device classes and claim templates, sharing configs for the operator, and Kueue queues. */
  private gpus(): void {
    const { spec, cluster } = this;
    for (const pool of cluster.gpuPools) new GpuNodePool(this, `gpu-pool-${pool.name}`, { cluster, pool });
    if (this.dra.length > 0) new DraDeviceClasses(this, 'dra', { pools: this.dra });
    if (spec.components.gpuOperator) new GpuSharingConfig(this, 'gpu-sharing', { pools: cluster.gpuPools.filter((p) => p.enabled), namespace: addon('gpu-operator').namespace });
    if (spec.components.kueue) {
      const plan = planQueues(spec, cluster, this.stages);
      new KueueQueues(this, 'queues', { plan });
      if (plan.multiKueue !== undefined) new MultiKueueDispatch(this, 'multikueue', { clusters: plan.multiKueue.clusters });
    }
  }

  /**
   * LLM serving on the primary: the Gateway API CRDs, the shared inference Gateway (Kubeflow's Istio
   * with the Inference Extension), the vLLM preset in each serving namespace that runs LLMs, and the
   * teams' LLMInferenceServices.
   */
  private llmServing(): void {
    const { spec, cluster } = this;
    if (!hostsLlmServing(spec, cluster, this.stages)) return;
    if (this.gitops) new GatewayApiCrds(this, 'gateway-api-crds');
    const gateway = new InferenceGateway(this, 'inference-gateway', { namespace: PLATFORM_NAMESPACES.gateway });
    // Team namespaces pull only from the cluster registry (trusted-image policy): the LLM images are
    // copies there, under the project named for their upstream registry (`npm run images` lists them).
    const fromRegistry = (image: string): string => mirrorImage(image, cluster.registry.endpoint);
    const images = { vllm: fromRegistry(LLM_SERVING.images.vllm), endpointPicker: fromRegistry(LLM_SERVING.images.endpointPicker), tokenizer: fromRegistry(LLM_SERVING.images.tokenizer) };
    for (const ns of llmServingNamespaces(this.llmServices)) {
      const owner = this.llmServices.find((s) => s.namespace === ns) as LlmServicePlan;
      new LlmRuntimePreset(this, `llm-preset-${ns}`, { namespace: ns, team: owner.team, costCenter: owner.costCenter, images });
    }
    for (const plan of this.llmServices) new LlmInferenceService(this, `llm-${plan.namespace}-${plan.name}`, { plan, gateway: { name: gateway.name, namespace: gateway.namespace }, image: images.vllm });
  }

  /** Metrics, alerts and dashboards on top of kube-prometheus-stack. */
  private observability(): void {
    const { spec, cluster, stages } = this;
    if (!spec.components.kubePrometheusStack) return;
    new Observability(this, 'observability', {
      spec: spec.observability,
      namespace: addon('kube-prometheus-stack').namespace,
      cluster: {
        components: spec.components,
        role: cluster.role,
        stages,
        workflowNamespaces: spec.teams.flatMap((t) => stages.map((stage) => ({ namespace: workflowNamespaceName(t.name, stage), stage }))),
        metricsPorts: spec.network.metricsPorts,
        gitops: this.gitops,
        llmNamespaces: llmServingNamespaces(this.llmServices),
      },
    });
  }
}

const LEVEL_RANK = { restricted: 0, baseline: 1, privileged: 2 } as const;
