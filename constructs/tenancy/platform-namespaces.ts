/**
 * Namespaces the platform itself owns, besides the add-ons' (which the catalog names).
 * Workflow namespaces (`<team>-<stage>`) open their NetworkPolicies to these by name.
 */
export const PLATFORM_NAMESPACES = {
  /** Ingress gateway for model serving: the only way into serving namespaces from outside. */
  gateway: 'platform-gateway',
  /** Prometheus, Alertmanager, Grafana: the only namespace allowed to scrape workloads. */
  observability: 'monitoring',
  /** CI deployer service accounts, one per team. */
  ci: 'platform-ci',
} as const;

/** Namespace of one team's workflow stage. */
export function workflowNamespaceName(team: string, stage: string): string {
  return `${team}-${stage}`;
}
