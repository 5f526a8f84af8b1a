import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

/** Label keys the platform puts on its objects: cost showback and policy select on them. */
export const LABEL = {
  team: 'ml.platform/team',
  stage: 'ml.platform/stage',
  costCenter: 'ml.platform/cost-center',
  pool: 'ml.platform/pool',
  partOf: 'app.kubernetes.io/part-of',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

export const PART_OF = 'hybrid-ml-platform';

/** The label every namespace carries with its own name (set by the API server since 1.22). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Adds labels to every API object below `scope` (called once a construct has built its children). */
export function labelAll(scope: Construct, labels: Readonly<Record<string, string>>): void {
  for (const child of scope.node.findAll()) {
    if (child instanceof ApiObject) {
      for (const [k, v] of Object.entries(labels)) child.metadata.addLabel(k, v);
    }
  }
}
