import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { LABEL, PART_OF } from '../labels';
import { COHORT, PRIORITY_CLASSES, QueuePlan } from './queue-plan';

/** Kueue's storage API version at the pinned release (v0.19): objects are written in it. */
export const KUEUE_API = 'kueue.x-k8s.io/v1beta2';

export interface KueueQueuesProps {
  /** The cluster's queue plan (see planQueues). */
  readonly plan: QueuePlan;
}

/**
 * Renders a queue plan: ResourceFlavors, the cohort, one ClusterQueue per team queue (borrowing,
 * lending, preemption, fair-sharing weight), LocalQueues in the team namespaces, and the workload
 * priority classes.
 */
export class KueueQueues extends Construct {
  constructor(scope: Construct, id: string, props: KueueQueuesProps) {
    super(scope, id);
    const { plan } = props;
    const labels = { [LABEL.partOf]: PART_OF };

    for (const pc of PRIORITY_CLASSES) {
      new ApiObject(this, `priority-${pc.name}`, { apiVersion: KUEUE_API, kind: 'WorkloadPriorityClass', metadata: { name: pc.name, labels }, value: pc.value, description: pc.description });
    }
    for (const flavor of plan.flavors) {
      new ApiObject(this, `flavor-${flavor.name}`, {
        apiVersion: KUEUE_API,
        kind: 'ResourceFlavor',
        metadata: { name: flavor.name, labels },
        spec: {
          ...(Object.keys(flavor.nodeLabels).length > 0 ? { nodeLabels: { ...flavor.nodeLabels } } : {}),
          ...(flavor.tolerations.length > 0 ? { tolerations: flavor.tolerations.map((t) => ({ ...t })) } : {}),
        },
      });
    }
    new ApiObject(this, 'cohort', { apiVersion: KUEUE_API, kind: 'Cohort', metadata: { name: COHORT, labels }, spec: {} });
    for (const cq of plan.clusterQueues) {
      new ApiObject(this, `cq-${cq.name}`, {
        apiVersion: KUEUE_API,
        kind: 'ClusterQueue',
        metadata: { name: cq.name, labels: { ...labels, [LABEL.team]: cq.team } },
        spec: {
          cohortName: COHORT,
          // Only the team's own namespaces may submit to its queues.
          namespaceSelector: { matchLabels: { [LABEL.team]: cq.team } },
          queueingStrategy: 'BestEffortFIFO',
          resourceGroups: cq.resourceGroups.map((g) => ({ coveredResources: [...g.coveredResources], flavors: g.flavors.map((f) => ({ name: f.name, resources: f.resources.map((r) => ({ ...r })) })) })),
          // Fair sharing decides who gives back borrowed quota (borrowWithinCohort does not combine with it).
          preemption: { reclaimWithinCohort: 'Any', withinClusterQueue: 'LowerPriority' },
          fairSharing: { weight: String(cq.fairShareWeight) },
          ...(cq.admissionCheck === undefined ? {} : { admissionChecksStrategy: { admissionChecks: [{ name: cq.admissionCheck }] } }),
        },
      });
    }
    for (const lq of plan.localQueues) {
      new ApiObject(this, `lq-${lq.namespace}-${lq.name}`, {
        apiVersion: KUEUE_API,
        kind: 'LocalQueue',
        metadata: { name: lq.name, namespace: lq.namespace, labels: { ...labels, [LABEL.team]: lq.team, [LABEL.stage]: lq.stage, [LABEL.costCenter]: lq.costCenter } },
        spec: { clusterQueue: lq.clusterQueue },
      });
    }
  }
}
