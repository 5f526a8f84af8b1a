import { StageQuota } from '../../environments/schema';

/**
 * Quota and default container sizes of one workflow namespace, derived from the stage quota.
 * Pure functions: constructs render their output, tests check it.
 */

/** Resource names of the GPU lines: whole GPUs and time-sliced shares (renamed by the device plugin). */
export const GPU_RESOURCE = 'nvidia.com/gpu';
export const SHARED_GPU_RESOURCE = 'nvidia.com/gpu.shared';

/** CPU limits may burst to this multiple of requests; memory never overcommits (OOM kills hurt training). */
const CPU_LIMIT_FACTOR = 2;

/** ResourceQuota key counting the DRA devices of one DeviceClass claimed in a namespace. */
export const deviceClassQuotaKey = (deviceClass: string): string => `${deviceClass}.deviceclass.resource.k8s.io/devices`;

/**
 * `hard` of the namespace ResourceQuota. Keys are sorted so output is stable. `deviceClassDevices`
 * caps DRA devices per DeviceClass (0 refuses every claim of that class in the namespace).
 */
export function quotaHard(quota: StageQuota, deviceClassDevices: Readonly<Record<string, number>> = {}): Record<string, string> {
  const hard: Record<string, string> = {
    'requests.cpu': `${quota.cpu}`,
    'limits.cpu': `${quota.cpu * CPU_LIMIT_FACTOR}`,
    'requests.memory': `${quota.memoryGiB}Gi`,
    'limits.memory': `${quota.memoryGiB}Gi`,
    [`requests.${GPU_RESOURCE}`]: `${quota.gpu}`,
    [`requests.${SHARED_GPU_RESOURCE}`]: `${quota.sharedGpu}`,
    'requests.storage': `${quota.storageGiB}Gi`,
    persistentvolumeclaims: `${Math.max(1, Math.min(quota.maxPods, 50))}`,
    pods: `${quota.maxPods}`,
    services: '20',
    'services.loadbalancers': '0',
    'services.nodeports': '0',
    secrets: '100',
    configmaps: '100',
    'count/jobs.batch': `${quota.maxPods}`,
    ...Object.fromEntries(Object.entries(deviceClassDevices).map(([cls, n]) => [deviceClassQuotaKey(cls), `${n}`])),
  };
  return Object.fromEntries(Object.entries(hard).sort(([a], [b]) => a.localeCompare(b)));
}

export interface ContainerDefaults {
  readonly defaultRequest: Record<string, string>;
  readonly default: Record<string, string>;
  readonly max: Record<string, string>;
}

/**
 * LimitRange for containers: a pod without requests still gets small ones (so the quota can count
 * it), and no single container can take more than the whole namespace budget.
 */
export function containerDefaults(quota: StageQuota): ContainerDefaults {
  const smallCpu = Math.min(quota.cpu * 1000, 500);
  const smallMemMi = Math.min(quota.memoryGiB * 1024, 512);
  return {
    defaultRequest: { cpu: `${Math.min(smallCpu, 100)}m`, memory: `${Math.min(smallMemMi, 256)}Mi` },
    default: { cpu: `${smallCpu}m`, memory: `${smallMemMi}Mi` },
    max: { cpu: `${quota.cpu * CPU_LIMIT_FACTOR}`, memory: `${quota.memoryGiB}Gi` },
  };
}
