/**
 * Tenancy: who owns what. Workflow namespaces per team and stage (data-prep -> training -> serving
 * -> monitoring), system namespaces for add-ons, Kubeflow Profiles, each namespace's quota and
 * limits, and the NetworkPolicy flows between stages.
 */
export * from './network-flows';
export * from './platform-namespaces';
export * from './resource-budget';
export * from './system-namespace';
export * from './team-profile';
export * from './workflow-namespace';
