/**
 * GPUs planned from day one: node pools (NFD rules, labels, taints), the facts schedulers and
 * quotas need about each pool, and time-slicing / MIG device-plugin configuration.
 */
export * from './dra-allocation';
export * from './dra-device-classes';
export * from './dra-driver-values';
export * from './gpu-node-pool';
export * from './gpu-scheduling';
export * from './gpu-sharing-config';
