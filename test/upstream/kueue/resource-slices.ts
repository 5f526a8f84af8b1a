/**
 * ResourceSlices as the NVIDIA DRA driver's kubelet plugin publishes them for a node of a DRA pool:
 * driver gpu.nvidia.com, one pool per node (named after the node), one device per GPU (gpu-<minor>)
 * or per MIG slice, with the attributes and capacities the driver takes from NVML (type, uuid,
 * productName, brand, architecture, versions; memory). kwok plays the node; this plays the plugin.
 */
import { GPU_MODELS, migSlicesPerGpu } from '../../../environments/gpu-models';
import { GpuPoolSpec } from '../../../environments';
import { NVIDIA_DRA_DRIVER } from '../../../constructs/gpu/dra-allocation';
import { KubeApi } from '../../cluster/api-client';

type Attribute = { string: string } | { version: string } | { int: number } | { bool: boolean };

/** Architecture NVML reports per model family. */
const ARCHITECTURE: Readonly<Record<string, string>> = { T4: 'Turing', L4: 'Ada Lovelace', L40S: 'Ada Lovelace', A10G: 'Ampere', 'A100-40GB': 'Ampere', 'A100-80GB': 'Ampere', H100: 'Hopper', H200: 'Hopper' };

/** NVML reports a little less usable memory than the nominal size (an 80 GB H100: 81559 MiB). */
const usableMiB = (nominalGiB: number): number => Math.floor(nominalGiB * 1024 * 0.995);

const uuid = (node: string, i: number): string => `GPU-${Buffer.from(`${node}-${i}`).toString('hex').padEnd(32, '0').slice(0, 32)}`;

export interface PublishedDevice {
  readonly name: string;
  readonly attributes: Readonly<Record<string, Attribute>>;
  readonly capacity: Readonly<Record<string, { value: string }>>;
}

/** The devices the driver would publish for one node of the pool. */
export function driverDevices(pool: GpuPoolSpec, node: string): PublishedDevice[] {
  const model = GPU_MODELS[pool.gpuModel];
  const common = (i: number): Record<string, Attribute> => ({
    productName: { string: model.productName },
    brand: { string: 'Nvidia' },
    architecture: { string: ARCHITECTURE[pool.gpuModel] ?? 'unknown' },
    driverVersion: { version: '595.91.7' },
    cudaDriverVersion: { version: '13.2.0' },
    uuid: { string: uuid(node, i) },
  });
  const gpus = Array.from({ length: pool.gpusPerNode }, (_, i) => i);
  if (pool.sharing === 'mig') {
    const profile = pool.migProfile as string;
    const per = migSlicesPerGpu(pool.gpuModel, profile);
    const memGiB = Number(/\.(\d+)gb$/.exec(profile)?.[1] ?? '0');
    return gpus.flatMap((g) =>
      Array.from({ length: per }, (_, s): PublishedDevice => ({
        name: `gpu-${g}-mig-${profile.replace('.', '-')}-${s}`,
        attributes: { ...common(g * 100 + s), type: { string: 'mig' }, profile: { string: profile }, parentUUID: { string: uuid(node, g) } },
        capacity: { memory: { value: `${usableMiB(memGiB)}Mi` } },
      })),
    );
  }
  return gpus.map((i): PublishedDevice => ({ name: `gpu-${i}`, attributes: { ...common(i), type: { string: 'gpu' } }, capacity: { memory: { value: `${usableMiB(model.memoryGiB)}Mi` } } }));
}

/** The ResourceSlice object of one node. */
export function resourceSlice(pool: GpuPoolSpec, node: string): Record<string, unknown> {
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceSlice',
    metadata: { name: `${node}-${NVIDIA_DRA_DRIVER}` },
    spec: { driver: NVIDIA_DRA_DRIVER, nodeName: node, pool: { name: node, generation: 1, resourceSliceCount: 1 }, devices: driverDevices(pool, node) },
  };
}

/** Creates the slice of every node; throws with the API server's message if one is refused. */
export async function publishSlices(api: KubeApi, pool: GpuPoolSpec, nodes: readonly string[]): Promise<number> {
  let devices = 0;
  for (const node of nodes) {
    const slice = resourceSlice(pool, node);
    const res = await api.request('POST', '/apis/resource.k8s.io/v1/resourceslices', slice);
    if (res.status !== 201) throw new Error(`ResourceSlice for ${node}: HTTP ${res.status} ${res.body}`);
    devices += (slice.spec as { devices: unknown[] }).devices.length;
  }
  return devices;
}
