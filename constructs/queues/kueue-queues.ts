import { Construct } from 'constructs';
import {
  ClusterQueueV1Beta2, ClusterQueueV1Beta2SpecFairSharingWeight, ClusterQueueV1Beta2SpecPreemptionReclaimWithinCohort, ClusterQueueV1Beta2SpecPreemptionWithinClusterQueue,
  ClusterQueueV1Beta2SpecQueueingStrategy, ClusterQueueV1Beta2SpecResourceGroupsFlavorsResourcesBorrowingLimit, ClusterQueueV1Beta2SpecResourceGroupsFlavorsResourcesLendingLimit,
  ClusterQueueV1Beta2SpecResourceGroupsFlavorsResourcesNominalQuota, CohortV1Beta2, LocalQueueV1Beta2, ResourceFlavorV1Beta2, WorkloadPriorityClassV1Beta2,
} from '../../imports/kueue.x-k8s.io';
import { LABEL, PART_OF } from '../labels';
import { COHORT, PRIORITY_CLASSES, QueuePlan } from './queue-plan';

/** Kueue's storage API version at the pinned release (v0.19): objects are written in it (the generated v1beta2 classes). */
export const KUEUE_API = ClusterQueueV1Beta2.GVK.apiVersion;

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
      new WorkloadPriorityClassV1Beta2(this, `priority-${pc.name}`, { metadata: { name: pc.name, labels }, value: pc.value, description: pc.description });
    }
    for (const flavor of plan.flavors) {
      new ResourceFlavorV1Beta2(this, `flavor-${flavor.name}`, {
        metadata: { name: flavor.name, labels },
        spec: {
          ...(Object.keys(flavor.nodeLabels).length > 0 ? { nodeLabels: { ...flavor.nodeLabels } } : {}),
          ...(flavor.tolerations.length > 0 ? { tolerations: flavor.tolerations.map((t) => ({ ...t })) } : {}),
        },
      });
    }
    new CohortV1Beta2(this, 'cohort', { metadata: { name: COHORT, labels }, spec: {} });
    for (const cq of plan.clusterQueues) {
      new ClusterQueueV1Beta2(this, `cq-${cq.name}`, {
        metadata: { name: cq.name, labels: { ...labels, [LABEL.team]: cq.team } },
        spec: {
          cohortName: COHORT,
          // Only the team's own namespaces may submit to its queues.
          namespaceSelector: { matchLabels: { [LABEL.team]: cq.team } },
          queueingStrategy: ClusterQueueV1Beta2SpecQueueingStrategy.BEST_EFFORT_FIFO,
          resourceGroups: cq.resourceGroups.map((g) => ({ coveredResources: [...g.coveredResources], flavors: g.flavors.map((f) => ({ name: f.name, resources: f.resources.map((r) => ({
              name: r.name,
              nominalQuota: ClusterQueueV1Beta2SpecResourceGroupsFlavorsResourcesNominalQuota.fromString(r.nominalQuota),
              borrowingLimit: ClusterQueueV1Beta2SpecResourceGroupsFlavorsResourcesBorrowingLimit.fromString(r.borrowingLimit),
              lendingLimit: ClusterQueueV1Beta2SpecResourceGroupsFlavorsResourcesLendingLimit.fromString(r.lendingLimit),
            })) })) })),
          // Fair sharing decides who gives back borrowed quota (borrowWithinCohort does not combine with it).
          preemption: { reclaimWithinCohort: ClusterQueueV1Beta2SpecPreemptionReclaimWithinCohort.ANY, withinClusterQueue: ClusterQueueV1Beta2SpecPreemptionWithinClusterQueue.LOWER_PRIORITY },
          fairSharing: { weight: ClusterQueueV1Beta2SpecFairSharingWeight.fromString(String(cq.fairShareWeight)) },
          ...(cq.admissionCheck === undefined ? {} : { admissionChecksStrategy: { admissionChecks: [{ name: cq.admissionCheck }] } }),
        },
      });
    }
    for (const lq of plan.localQueues) {
      new LocalQueueV1Beta2(this, `lq-${lq.namespace}-${lq.name}`, {
        metadata: { name: lq.name, namespace: lq.namespace, labels: { ...labels, [LABEL.team]: lq.team, [LABEL.stage]: lq.stage, [LABEL.costCenter]: lq.costCenter } },
        spec: { clusterQueue: lq.clusterQueue },
      });
    }
  }
}
