/** The one catalog of pinned upstream versions: add-ons, GitOps, and the test toolchain. */
export * from './addons';
export * from './crd-ownership';
export * from './install-order';
export * from './toolchain';
export * from './image-slots';
export * from './kubeflow';
export * from './serving';
