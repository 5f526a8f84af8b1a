/**
 * GPU queues with Kueue: the queue plan (pure), ResourceFlavors, ClusterQueues in a cohort,
 * LocalQueues, priorities, the manager configuration, and MultiKueue dispatch to burst clusters.
 */
export * from './kueue-config';
export * from './kueue-queues';
export * from './multi-kueue-dispatch';
export * from './queue-plan';
