import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { migSlicesPerGpu } from '../../environments/gpu-models';
import { ClusterSpec, GpuPoolSpec } from '../../environments/schema';
import { DEVICE_PLUGIN_CONFIG_LABEL, MIG_CONFIG_LABEL, MIG_DISABLED, migConfigName } from './gpu-scheduling';
import { LABEL, PART_OF } from '../labels';

const { k8s } = kplus;

/** ConfigMap names the GPU operator's ClusterPolicy points at. */
export const TIME_SLICING_CONFIGMAP = 'gpu-time-slicing';
export const MIG_PARTED_CONFIGMAP = 'gpu-mig-layouts';

/** Device plugin config for a time-sliced pool: shared GPUs are a distinct resource, nvidia.com/gpu.shared. */
export function timeSlicingConfig(pool: GpuPoolSpec): Record<string, unknown> {
  return {
    version: 'v1',
    flags: { migStrategy: 'none' },
    sharing: { timeSlicing: { renameByDefault: true, failRequestsGreaterThanOne: true, resources: [{ name: 'nvidia.com/gpu', replicas: pool.timeSlicingReplicas }] } },
  };
}

/** mig-parted layouts: every GPU of a MIG pool split into its profile; other nodes MIG-disabled. */
export function migLayouts(pools: readonly GpuPoolSpec[]): Record<string, unknown> {
  const configs: Record<string, unknown> = { [MIG_DISABLED]: [{ devices: 'all', 'mig-enabled': false }] };
  for (const pool of pools.filter((p) => p.sharing === 'mig')) {
    const profile = pool.migProfile as string;
    configs[migConfigName(pool)] = [{ devices: 'all', 'mig-enabled': true, 'mig-devices': { [profile]: migSlicesPerGpu(pool.gpuModel, profile) } }];
  }
  return { version: 'v1', 'mig-configs': configs };
}

/**
 * The part of the GPU operator's ClusterPolicy the platform decides per cluster; the operator's
 * chart renders the ClusterPolicy from these values. Drivers come from the operator on-prem and
 * with the cloud's GPU node image elsewhere.
 */
export function clusterPolicyValues(cluster: Pick<ClusterSpec, 'provider' | 'gpuPools'>): Record<string, unknown> {
  const ownsDriver = cluster.provider === 'onprem';
  const timeSliced = cluster.gpuPools.filter((p) => p.sharing === 'time-slicing');
  const mig = cluster.gpuPools.filter((p) => p.sharing === 'mig');
  return {
    driver: { enabled: ownsDriver },
    toolkit: { enabled: ownsDriver || cluster.provider === 'local', env: [...TOOLKIT_DEVICE_LIST_ENV] },
    // Devices reach containers through CDI, from the device plugin's or the DRA driver's allocation.
    cdi: { enabled: true },
    devicePlugin: timeSliced.length > 0 ? { config: { name: TIME_SLICING_CONFIGMAP, default: '' } } : {},
    // "single": a MIG node exposes its slices as nvidia.com/gpu, so quotas and requests stay uniform.
    mig: { strategy: mig.length > 0 ? 'single' : 'none' },
    migManager: { enabled: mig.length > 0, ...(mig.length > 0 ? { config: { name: MIG_PARTED_CONFIGMAP, default: MIG_DISABLED } } : {}) },
  };
}

/**
 * The container toolkit honours NVIDIA_VISIBLE_DEVICES set by any unprivileged container unless
 * told not to, which would hand a pod that asked for no GPU every GPU of its node. Off: device
 * lists come only from what the device plugin or the DRA driver allocated (CDI, or volume mounts
 * the toolkit accepts in their place). Team namespaces also refuse the variable at admission
 * (constructs/access/workload-access-cel.ts, gpuSideDoorFindings).
 */
export const TOOLKIT_DEVICE_LIST_ENV = [
  { name: 'ACCEPT_NVIDIA_VISIBLE_DEVICES_ENVVAR_WHEN_UNPRIVILEGED', value: 'false' },
  { name: 'ACCEPT_NVIDIA_VISIBLE_DEVICES_AS_VOLUME_MOUNTS', value: 'true' },
] as const;

export interface GpuSharingConfigProps {
  /** The cluster's pools. */
  readonly pools: readonly GpuPoolSpec[];
  /** Namespace of the GPU operator. */
  readonly namespace: string;
}

/**
 * ConfigMaps the GPU operator reads: time-slicing configs keyed by pool (nodes pick theirs with the
 * `nvidia.com/device-plugin.config` label) and mig-parted layouts (picked with `nvidia.com/mig.config`).
 */
export class GpuSharingConfig extends Construct {
  constructor(scope: Construct, id: string, props: GpuSharingConfigProps) {
    super(scope, id);
    const labels = { [LABEL.partOf]: PART_OF };
    const timeSliced = props.pools.filter((p) => p.sharing === 'time-slicing');
    if (timeSliced.length > 0) {
      new k8s.KubeConfigMap(this, 'time-slicing', {
        metadata: { name: TIME_SLICING_CONFIGMAP, namespace: props.namespace, labels, annotations: { 'ml.platform/selected-by': DEVICE_PLUGIN_CONFIG_LABEL } },
        data: Object.fromEntries(timeSliced.map((p) => [p.name, YAML.stringify(timeSlicingConfig(p))])),
      });
    }
    const mig = props.pools.filter((p) => p.sharing === 'mig');
    if (mig.length > 0) {
      new k8s.KubeConfigMap(this, 'mig-layouts', {
        metadata: { name: MIG_PARTED_CONFIGMAP, namespace: props.namespace, labels, annotations: { 'ml.platform/selected-by': MIG_CONFIG_LABEL } },
        data: { 'config.yaml': YAML.stringify(migLayouts(mig)) },
      });
    }
  }
}
