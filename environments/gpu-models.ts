/**
 * GPU models the platform knows how to plan for. Facts only (memory, the product label NVIDIA's
 * GPU feature discovery sets, the MIG profiles the card supports); behaviour lives in constructs.
 */
export interface GpuModel {
  /** Product label value set by GPU feature discovery on `nvidia.com/gpu.product`. */
  readonly productLabel: string;
  /** Memory of one GPU in GiB. */
  readonly memoryGiB: number;
  /** MIG profiles the card supports (empty when the card has no MIG). */
  readonly migProfiles: readonly string[];
}

export const GPU_MODELS = {
  T4: { productLabel: 'Tesla-T4', memoryGiB: 16, migProfiles: [] },
  L4: { productLabel: 'NVIDIA-L4', memoryGiB: 24, migProfiles: [] },
  L40S: { productLabel: 'NVIDIA-L40S', memoryGiB: 48, migProfiles: [] },
  A10G: { productLabel: 'NVIDIA-A10G', memoryGiB: 24, migProfiles: [] },
  'A100-40GB': {
    productLabel: 'NVIDIA-A100-SXM4-40GB',
    memoryGiB: 40,
    migProfiles: ['1g.5gb', '2g.10gb', '3g.20gb', '4g.20gb', '7g.40gb'],
  },
  'A100-80GB': {
    productLabel: 'NVIDIA-A100-SXM4-80GB',
    memoryGiB: 80,
    migProfiles: ['1g.10gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb'],
  },
  H100: {
    productLabel: 'NVIDIA-H100-80GB-HBM3',
    memoryGiB: 80,
    migProfiles: ['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb'],
  },
  H200: {
    productLabel: 'NVIDIA-H200',
    memoryGiB: 141,
    migProfiles: ['1g.18gb', '1g.35gb', '2g.35gb', '3g.71gb', '4g.71gb', '7g.141gb'],
  },
} as const satisfies Record<string, GpuModel>;

export type GpuModelName = keyof typeof GPU_MODELS;

export const GPU_MODEL_NAMES = Object.keys(GPU_MODELS) as GpuModelName[];
