import { GPU_MODELS } from '../../environments/gpu-models';
import { ClusterSpec, GpuPoolSpec, PlatformSpec, Stage } from '../../environments/schema';
import { workflowNamespaceName } from '../tenancy/platform-namespaces';
import { celString } from '../cel-literal';

/**
 * Dynamic Resource Allocation for the pools with `gpuAllocation: 'dra'`, planned from the spec:
 * one DeviceClass per pool (CEL over the attributes the NVIDIA DRA driver publishes), the
 * ResourceClaimTemplate teams reference in the namespaces allowed on the pool, and the Kueue
 * resource the pool's devices count against. Pure: constructs render it, tests walk it.
 *
 * A device attribute says what a GPU is, not which pool its node belongs to (two pools may hold the
 * same model), so the pool's nodes are picked the way every pool's are: the Kueue flavor's node
 * labels and the GPU taint's toleration.
 */

/** Driver name of the NVIDIA DRA driver, and the domain of its device attributes and capacities. */
export const NVIDIA_DRA_DRIVER = 'gpu.nvidia.com';

/**
 * DeviceClasses the driver's chart installs for any GPU, MIG slice or VFIO-passthrough GPU of any
 * node (test/upstream/accelerator-access.test.ts checks the list against the chart). Team
 * namespaces get a ResourceQuota of 0 on them: claims go through the pool classes (and Kueue).
 */
export const DRIVER_DEVICE_CLASSES = ['gpu.nvidia.com', 'mig.nvidia.com', 'vfio.gpu.nvidia.com'] as const;

/** Node label the DRA driver's kubelet plugin is scheduled by (value `dra`). */
export const GPU_ALLOCATION_LABEL = 'ml.platform/gpu-allocation';

/**
 * Node label the GPU Operator reads to leave its device plugin off a node: the DRA driver and the
 * device plugin must not both hand out the GPUs of one node, so each node has exactly one of them.
 */
export const DEVICE_PLUGIN_DEPLOY_LABEL = 'nvidia.com/gpu.deploy.device-plugin';

/**
 * NVML reports the memory a GPU can use, a few percent below its nominal size (an 80 GB H100
 * reports about 79.6 GiB): the class asks for at least this share of the nominal memory.
 */
const REPORTED_MEMORY_SHARE = 0.9;

export const isDraPool = (pool: Pick<GpuPoolSpec, 'gpuAllocation'>): boolean => pool.gpuAllocation === 'dra';

/** DeviceClass of a pool, e.g. h100-dra.gpu.ml.platform. */
export const draDeviceClassName = (pool: Pick<GpuPoolSpec, 'name'>): string => `${pool.name}.gpu.ml.platform`;

/** ResourceClaimTemplate teams name in `spec.resourceClaims[].resourceClaimTemplateName`: the pool name. */
export const draClaimTemplateName = (pool: Pick<GpuPoolSpec, 'name'>): string => pool.name;

/** Resource Kueue counts the pool's devices as (deviceClassMappings, ClusterQueue quota): one per GPU or MIG slice. */
export const draQuotaResource = (pool: Pick<GpuPoolSpec, 'name'>): string => `dra.ml.platform/${pool.name}`;


/** CEL selector of a pool's devices: the driver, whole GPU or MIG slice of the pool's profile, the model, its memory. */
export function draDeviceSelector(pool: Pick<GpuPoolSpec, 'gpuModel' | 'sharing' | 'migProfile'>): string {
  const model = GPU_MODELS[pool.gpuModel];
  const attr = `device.attributes[${celString(NVIDIA_DRA_DRIVER)}]`;
  const terms = [`device.driver == ${celString(NVIDIA_DRA_DRIVER)}`];
  if (pool.sharing === 'mig') {
    terms.push(`${attr}.type == 'mig'`, `${attr}.profile == ${celString(pool.migProfile ?? '')}`, `${attr}.productName == ${celString(model.productName)}`);
  } else {
    const minGi = Math.floor(model.memoryGiB * REPORTED_MEMORY_SHARE);
    terms.push(`${attr}.type == 'gpu'`, `${attr}.productName == ${celString(model.productName)}`, `device.capacity[${celString(NVIDIA_DRA_DRIVER)}].memory.compareTo(quantity('${minGi}Gi')) >= 0`);
  }
  return terms.join(' && ');
}

export interface DraNamespace {
  readonly name: string;
  readonly team: string;
  readonly stage: Stage;
  readonly costCenter: string;
}

export interface DraPoolPlan {
  readonly pool: string;
  readonly deviceClass: string;
  readonly selector: string;
  readonly quotaResource: string;
  readonly claimTemplate: string;
  /** Team namespaces that get the claim template: teams with quota on the pool, stages that queue there. */
  readonly namespaces: readonly DraNamespace[];
}

/**
 * The DRA pools a cluster's queues cover (its own, and on a primary the burst clusters' DRA pools
 * its burst queues dispatch to), each with where its claim template goes.
 */
export function planDra(spec: PlatformSpec, cluster: ClusterSpec, stagesOnCluster: readonly Stage[]): DraPoolPlan[] {
  const queued = (['training', 'serving'] as const).filter((s) => stagesOnCluster.includes(s));
  const own = cluster.gpuPools.filter((p) => p.enabled && isDraPool(p)).map((pool) => ({ pool, stages: cluster.role === 'burst' ? queued.filter((s) => s === 'training') : queued }));
  const burst = cluster.role === 'primary'
    ? spec.clusters.filter((c) => c.role === 'burst').flatMap((c) => c.gpuPools.filter((p) => p.enabled && isDraPool(p))).map((pool) => ({ pool, stages: queued.filter((s) => s === 'training') }))
    : [];
  return [...own, ...burst].map(({ pool, stages }) => ({
    pool: pool.name,
    deviceClass: draDeviceClassName(pool),
    selector: draDeviceSelector(pool),
    quotaResource: draQuotaResource(pool),
    claimTemplate: draClaimTemplateName(pool),
    namespaces: spec.teams
      .filter((t) => (t.poolQuotas[pool.name] ?? 0) > 0)
      .flatMap((t) => stages.map((stage): DraNamespace => ({ name: workflowNamespaceName(t.name, stage), team: t.name, stage, costCenter: t.costCenter }))),
  }));
}

/**
 * DRA devices a team namespace may claim per DeviceClass (its ResourceQuota): the stage's GPU
 * budget on the pool classes where the namespace has the pool's claim template, 0 elsewhere and on
 * the driver's own classes, so no claim reaches a GPU around the pools and their queues.
 */
export function deviceClassBudget(plans: readonly DraPoolPlan[], namespace: string, stageGpus: number): Record<string, number> {
  if (plans.length === 0) return {};
  const budget: Record<string, number> = Object.fromEntries(DRIVER_DEVICE_CLASSES.map((c) => [c, 0]));
  for (const p of plans) budget[p.deviceClass] = p.namespaces.some((n) => n.name === namespace) ? stageGpus : 0;
  return budget;
}

/** Kueue's `resources.deviceClassMappings`: each pool's DeviceClass counted as the pool's quota resource. */
export function deviceClassMappings(plans: readonly DraPoolPlan[]): { name: string; deviceClassNames: string[] }[] {
  return plans.map((p) => ({ name: p.quotaResource, deviceClassNames: [p.deviceClass] }));
}
