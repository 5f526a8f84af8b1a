/**
 * How add-ons reach a cluster: chart sources (repository or mirror), Flux HelmReleases and
 * Kustomizations.
 */
export * from './chart-source';
export * from './flux-helm-release';
export * from './flux-kustomization';
