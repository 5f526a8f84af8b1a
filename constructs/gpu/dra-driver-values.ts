import { ClusterSpec } from '../../environments/schema';
import { GPU_ALLOCATION_LABEL } from './dra-allocation';

/**
 * Per-cluster values of the NVIDIA DRA driver chart (the catalog holds the rest). Its kubelet
 * plugin runs only on nodes of DRA pools, which carry GPU_ALLOCATION_LABEL=dra and the label that
 * keeps the GPU Operator's device plugin off them: on one cluster, device-plugin nodes and DRA nodes
 * sit side by side, each GPU handed out by exactly one of the two.
 */
export function draDriverValues(cluster: Pick<ClusterSpec, 'provider'>): Record<string, unknown> {
  return {
    // On-prem the GPU Operator's driver container installs the driver under /run/nvidia/driver;
    // cloud GPU images (and local machines) have it on the host.
    nvidiaDriverRoot: cluster.provider === 'onprem' ? '/run/nvidia/driver' : '/',
    kubeletPlugin: { nodeSelector: { [GPU_ALLOCATION_LABEL]: 'dra' } },
  };
}
