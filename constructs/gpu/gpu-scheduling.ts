import { GPU_MODELS } from '../../environments/gpu-models';
import { GpuPoolSpec } from '../../environments/schema';
import { LABEL } from '../labels';
import { DEVICE_PLUGIN_DEPLOY_LABEL, GPU_ALLOCATION_LABEL } from './dra-allocation';

/**
 * The scheduling contract every GPU pool keeps on every provider: a workload asks for a pool the
 * same way on-prem, on AWS, Azure or GCP.
 */

/** Taint on every GPU node: only pods that tolerate it (GPU work) land there. */
export const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' } as const;

/** Toleration that matches GPU_TAINT. */
export const GPU_TOLERATION = { key: GPU_TAINT.key, operator: 'Exists', effect: GPU_TAINT.effect } as const;

/** Label GPU feature discovery sets with the product name; informational, the pool label selects. */
export const GPU_PRODUCT_LABEL = 'nvidia.com/gpu.product';
/** The model as the spec names it (stable across MIG, unlike the product label). */
export const GPU_MODEL_LABEL = 'ml.platform/gpu-model';
/** Device plugin configuration a node uses (time-slicing); the key of the sharing ConfigMap. */
export const DEVICE_PLUGIN_CONFIG_LABEL = 'nvidia.com/device-plugin.config';
/** MIG layout mig-manager applies to a node; a key of the mig-parted ConfigMap. */
export const MIG_CONFIG_LABEL = 'nvidia.com/mig.config';
export const MIG_DISABLED = 'all-disabled';

/** mig-parted configuration name of a MIG pool. */
export const migConfigName = (pool: GpuPoolSpec): string => (pool.sharing === 'mig' && pool.migProfile !== undefined ? `all-${pool.migProfile}` : MIG_DISABLED);

/** Extended resource a pool's devices are requested as (DRA pools have none: see draQuotaResource). */
export function poolResourceName(pool: GpuPoolSpec): string {
  return pool.sharing === 'time-slicing' ? 'nvidia.com/gpu.shared' : 'nvidia.com/gpu';
}

/** Labels every node of the pool carries, whoever puts them there (Karpenter, NFD, Cluster API). */
export function poolNodeLabels(pool: GpuPoolSpec): Record<string, string> {
  const labels: Record<string, string> = { [LABEL.pool]: pool.name, [GPU_MODEL_LABEL]: pool.gpuModel };
  if (pool.sharing === 'time-slicing') labels[DEVICE_PLUGIN_CONFIG_LABEL] = pool.name;
  if (pool.sharing === 'mig') labels[MIG_CONFIG_LABEL] = migConfigName(pool);
  // DRA nodes: the DRA driver's kubelet plugin runs there, the GPU Operator's device plugin does not.
  if (pool.gpuAllocation === 'dra') Object.assign(labels, { [GPU_ALLOCATION_LABEL]: 'dra', [DEVICE_PLUGIN_DEPLOY_LABEL]: 'false' });
  return labels;
}

/** The product label value GPU feature discovery will report for the pool's nodes. */
export function expectedProductLabel(pool: GpuPoolSpec): string {
  const product = GPU_MODELS[pool.gpuModel].productLabel;
  return pool.sharing === 'mig' ? `${product}-MIG-${pool.migProfile}` : pool.sharing === 'time-slicing' ? `${product}-SHARED` : product;
}
