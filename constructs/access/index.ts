/**
 * Least privilege for people and their workloads: RBAC from one permission matrix, and the
 * admission policies that bound what a workload's ServiceAccount may reach.
 */
export * from './least-privilege-rbac';
export * from './permission-matrix';
export * from './cel-findings';
export * from './workload-access-cel';
export * from './workload-access-policy';
export * from './workload-access';
