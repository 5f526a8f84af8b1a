/**
 * The Kubeflow install from the pinned manifests (Flux Kustomizations, ordered), and the training
 * runtimes teams start TrainJobs from.
 */
export * from './kubeflow';
export * from './training-runtimes';
