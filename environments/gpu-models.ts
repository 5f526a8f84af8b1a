/**
 * GPU models the platform knows how to plan for. Facts only (memory, the product label NVIDIA's
 * GPU feature discovery sets, the MIG profiles the card supports); behaviour lives in constructs.
 */
export interface GpuModel {
  /** Product label value set by GPU feature discovery on `nvidia.com/gpu.product`. */
  readonly productLabel: string;
  /** Product name NVML reports, which the NVIDIA DRA driver publishes as the `productName` device attribute. */
  readonly productName: string;
  /** Memory of one GPU in GiB. */
  readonly memoryGiB: number;
  /** MIG profiles the card supports (empty when the card has no MIG). */
  readonly migProfiles: readonly string[];
}

export const GPU_MODELS = {
  T4: { productLabel: 'Tesla-T4', productName: 'Tesla T4', memoryGiB: 16, migProfiles: [] },
  L4: { productLabel: 'NVIDIA-L4', productName: 'NVIDIA L4', memoryGiB: 24, migProfiles: [] },
  L40S: { productLabel: 'NVIDIA-L40S', productName: 'NVIDIA L40S', memoryGiB: 48, migProfiles: [] },
  A10G: { productLabel: 'NVIDIA-A10G', productName: 'NVIDIA A10G', memoryGiB: 24, migProfiles: [] },
  'A100-40GB': {
    productLabel: 'NVIDIA-A100-SXM4-40GB',
    productName: 'NVIDIA A100-SXM4-40GB',
    memoryGiB: 40,
    migProfiles: ['1g.5gb', '2g.10gb', '3g.20gb', '4g.20gb', '7g.40gb'],
  },
  'A100-80GB': {
    productLabel: 'NVIDIA-A100-SXM4-80GB',
    productName: 'NVIDIA A100-SXM4-80GB',
    memoryGiB: 80,
    migProfiles: ['1g.10gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb'],
  },
  H100: {
    productLabel: 'NVIDIA-H100-80GB-HBM3',
    productName: 'NVIDIA H100 80GB HBM3',
    memoryGiB: 80,
    migProfiles: ['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb'],
  },
  H200: {
    productLabel: 'NVIDIA-H200',
    productName: 'NVIDIA H200',
    memoryGiB: 141,
    migProfiles: ['1g.18gb', '1g.35gb', '2g.35gb', '3g.71gb', '4g.71gb', '7g.141gb'],
  },
} as const satisfies Record<string, GpuModel>;

export type GpuModelName = keyof typeof GPU_MODELS;

export const GPU_MODEL_NAMES = Object.keys(GPU_MODELS) as GpuModelName[];

/** MIG slices of one profile a GPU holds: limited by compute slices (7) and by memory. */
export function migSlicesPerGpu(model: GpuModelName, profile: string): number {
  const m = /^(\d)g\.(\d+)gb$/.exec(profile);
  if (m === null) return 0;
  return Math.floor(Math.min(7 / Number(m[1]), GPU_MODELS[model].memoryGiB / Number(m[2])));
}

/**
 * Cloud machine types per GPU model and GPUs per node. A pool whose (model, count) has no entry for
 * its cloud is refused by the spec check: the cloud does not sell that shape.
 */
export const CLOUD_MACHINE_TYPES: Readonly<Record<'aws' | 'azure' | 'gcp', Partial<Record<GpuModelName, Readonly<Record<number, string>>>>>> = {
  aws: {
    T4: { 1: 'g4dn.xlarge', 4: 'g4dn.12xlarge', 8: 'g4dn.metal' },
    L4: { 1: 'g6.xlarge', 4: 'g6.12xlarge', 8: 'g6.48xlarge' },
    L40S: { 1: 'g6e.xlarge', 4: 'g6e.12xlarge', 8: 'g6e.48xlarge' },
    A10G: { 1: 'g5.xlarge', 4: 'g5.12xlarge', 8: 'g5.48xlarge' },
    'A100-40GB': { 8: 'p4d.24xlarge' },
    'A100-80GB': { 8: 'p4de.24xlarge' },
    H100: { 8: 'p5.48xlarge' },
    H200: { 8: 'p5e.48xlarge' },
  },
  azure: {
    T4: { 1: 'Standard_NC4as_T4_v3', 4: 'Standard_NC64as_T4_v3' },
    'A100-40GB': { 8: 'Standard_ND96asr_v4' },
    'A100-80GB': { 1: 'Standard_NC24ads_A100_v4', 2: 'Standard_NC48ads_A100_v4', 4: 'Standard_NC96ads_A100_v4', 8: 'Standard_ND96amsr_A100_v4' },
    H100: { 8: 'Standard_ND96isr_H100_v5' },
    H200: { 8: 'Standard_ND96isr_H200_v5' },
  },
  gcp: {
    T4: { 1: 'nvidia-tesla-t4', 4: 'nvidia-tesla-t4' },
    L4: { 1: 'nvidia-l4', 2: 'nvidia-l4', 4: 'nvidia-l4', 8: 'nvidia-l4' },
    'A100-40GB': { 1: 'nvidia-tesla-a100', 2: 'nvidia-tesla-a100', 4: 'nvidia-tesla-a100', 8: 'nvidia-tesla-a100', 16: 'nvidia-tesla-a100' },
    'A100-80GB': { 1: 'nvidia-a100-80gb', 2: 'nvidia-a100-80gb', 4: 'nvidia-a100-80gb', 8: 'nvidia-a100-80gb' },
    H100: { 8: 'nvidia-h100-80gb' },
    H200: { 8: 'nvidia-h200-141gb' },
  },
};

/** Capacity types each cloud sells GPUs under. */
export const CLOUD_CAPACITY_TYPES: Readonly<Record<'aws' | 'azure' | 'gcp', readonly string[]>> = {
  aws: ['on-demand', 'spot', 'reserved'],
  azure: ['on-demand', 'spot'],
  gcp: ['on-demand', 'spot', 'reserved'],
};
