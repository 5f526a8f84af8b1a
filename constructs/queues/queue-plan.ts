import { ClusterSpec, GpuPoolSpec, PlatformSpec, Stage, TeamSpec } from '../../environments/schema';
import { poolSelectorLabels } from '../gpu/gpu-node-pool';
import { draQuotaResource, isDraPool } from '../gpu/dra-allocation';
import { GPU_TOLERATION, poolResourceName } from '../gpu/gpu-scheduling';
import { workflowNamespaceName } from '../tenancy/platform-namespaces';

/**
 * Kueue wiring of one cluster, planned from the spec: pool -> ResourceFlavor -> team ClusterQueue
 * (in one cohort) -> LocalQueue in the team's training and serving namespaces. A primary with burst
 * clusters also gets a burst ClusterQueue per team whose admission check dispatches to them with
 * MultiKueue; each burst cluster gets the matching queues. Pure: constructs render it, tests walk it.
 */

/** LocalQueue names users put in `kueue.x-k8s.io/queue-name`: the same on every cluster. */
export const LOCAL_QUEUE = 'gpu';
export const BURST_QUEUE = 'burst';
/** Flavor for CPU and memory: any node, no labels. */
export const CPU_FLAVOR = 'cpu';
export const COHORT = 'ml-platform';
export const MULTIKUEUE_CHECK = 'multikueue';
export const MULTIKUEUE_CONFIG = 'burst-clusters';
export const MULTIKUEUE_CONTROLLER = 'kueue.x-k8s.io/multikueue';
/** Stages whose namespaces get LocalQueues: all their work goes through Kueue. */
export const QUEUED_STAGES: readonly Stage[] = ['training', 'serving'];

/** Priorities: production serving preempts training, training preempts experiments. */
export const PRIORITY_CLASSES = [
  { name: 'production-serving', value: 1000, description: 'Model servers handling production traffic' },
  { name: 'training', value: 500, description: 'Scheduled and production training jobs' },
  { name: 'experiments', value: 100, description: 'Notebooks, sweeps and exploratory jobs' },
] as const;

export interface FlavorPlan {
  readonly name: string;
  readonly nodeLabels: Readonly<Record<string, string>>;
  readonly tolerations: readonly { key: string; operator: string; effect: string }[];
}

export interface ResourceQuotaPlan {
  readonly name: string;
  readonly nominalQuota: string;
  readonly borrowingLimit: string;
  readonly lendingLimit: string;
}

export interface ResourceGroupPlan {
  readonly coveredResources: readonly string[];
  readonly flavors: readonly { readonly name: string; readonly resources: readonly ResourceQuotaPlan[] }[];
}

export interface ClusterQueuePlan {
  readonly name: string;
  readonly team: string;
  readonly resourceGroups: readonly ResourceGroupPlan[];
  readonly fairShareWeight: number;
  /** Admission check that dispatches admitted work to burst clusters. */
  readonly admissionCheck?: string;
}

export interface LocalQueuePlan {
  readonly namespace: string;
  readonly name: string;
  readonly clusterQueue: string;
  readonly team: string;
  readonly costCenter: string;
  readonly stage: Stage;
}

export interface QueuePlan {
  readonly flavors: readonly FlavorPlan[];
  readonly clusterQueues: readonly ClusterQueuePlan[];
  readonly localQueues: readonly LocalQueuePlan[];
  /** Present on a primary that has burst clusters: where MultiKueue dispatches. */
  readonly multiKueue?: { readonly clusters: readonly { readonly name: string; readonly kubeconfigSecret: string }[] };
}

/** Secret (in Kueue's namespace, created out of band) with the kubeconfig MultiKueue uses for a worker. */
export const multiKueueSecretName = (cluster: string): string => `multikueue-${cluster}`;

const percentOf = (value: number, pct: number): number => Math.floor((value * pct) / 100);

function quota(team: TeamSpec, name: string, nominal: number, unit = ''): ResourceQuotaPlan {
  const { borrowingLimitPercent, lendingLimitPercent } = team.queueing;
  return { name, nominalQuota: `${nominal}${unit}`, borrowingLimit: `${percentOf(nominal, borrowingLimitPercent)}${unit}`, lendingLimit: `${percentOf(nominal, lendingLimitPercent)}${unit}` };
}

function flavorOf(cluster: ClusterSpec, pool: GpuPoolSpec): FlavorPlan {
  return { name: pool.name, nodeLabels: poolSelectorLabels(cluster.provider, pool), tolerations: [{ ...GPU_TOLERATION }] };
}

/** One ClusterQueue: CPU and memory on the cpu flavor, then one group per GPU resource over the pools. */
function clusterQueue(name: string, team: TeamSpec, stages: readonly Stage[], pools: readonly GpuPoolSpec[], admissionCheck?: string): ClusterQueuePlan {
  const cpu = stages.reduce((n, s) => n + (team.quotas[s]?.cpu ?? 0), 0);
  const memory = stages.reduce((n, s) => n + (team.quotas[s]?.memoryGiB ?? 0), 0);
  const groups: ResourceGroupPlan[] = [{ coveredResources: ['cpu', 'memory'], flavors: [{ name: CPU_FLAVOR, resources: [quota(team, 'cpu', cpu), quota(team, 'memory', memory, 'Gi')] }] }];
  for (const resource of ['nvidia.com/gpu', 'nvidia.com/gpu.shared']) {
    const members = pools.filter((p) => p.enabled && !isDraPool(p) && poolResourceName(p) === resource);
    if (members.length === 0) continue;
    groups.push({ coveredResources: [resource], flavors: members.map((p) => ({ name: p.name, resources: [quota(team, resource, team.poolQuotas[p.name] ?? 0)] })) });
  }
  // A DRA pool's devices are their own resource (deviceClassMappings): a claim for the pool's class
  // can only be given the pool's flavor, whose node labels lead to the nodes that publish them.
  for (const p of pools.filter((x) => x.enabled && isDraPool(x))) {
    groups.push({ coveredResources: [draQuotaResource(p)], flavors: [{ name: p.name, resources: [quota(team, draQuotaResource(p), team.poolQuotas[p.name] ?? 0)] }] });
  }
  return { name, team: team.name, resourceGroups: groups, fairShareWeight: team.queueing.fairShareWeight, ...(admissionCheck === undefined ? {} : { admissionCheck }) };
}

const cpuFlavor: FlavorPlan = { name: CPU_FLAVOR, nodeLabels: {}, tolerations: [] };

export function planQueues(spec: PlatformSpec, cluster: ClusterSpec, stagesOnCluster: readonly Stage[]): QueuePlan {
  const queuedStages = stagesOnCluster.filter((s) => QUEUED_STAGES.includes(s));
  const bursts = spec.clusters.filter((c) => c.role === 'burst');
  const enabled = (c: ClusterSpec) => c.gpuPools.filter((p) => p.enabled);

  if (cluster.role === 'burst') {
    return {
      flavors: [cpuFlavor, ...enabled(cluster).map((p) => flavorOf(cluster, p))],
      clusterQueues: spec.teams.map((t) => clusterQueue(`${t.name}-burst`, t, ['training'], enabled(cluster))),
      localQueues: queuedStages.includes('training')
        ? spec.teams.map((t) => ({ namespace: workflowNamespaceName(t.name, 'training'), name: BURST_QUEUE, clusterQueue: `${t.name}-burst`, team: t.name, costCenter: t.costCenter, stage: 'training' as Stage }))
        : [],
    };
  }

  const burstPools = bursts.flatMap((c) => enabled(c).map((p) => ({ c, p })));
  const flavors = [cpuFlavor, ...enabled(cluster).map((p) => flavorOf(cluster, p)), ...burstPools.map(({ c, p }) => flavorOf(c, p))];
  const clusterQueues: ClusterQueuePlan[] = [];
  const localQueues: LocalQueuePlan[] = [];
  for (const team of spec.teams) {
    clusterQueues.push(clusterQueue(team.name, team, queuedStages, enabled(cluster)));
    for (const stage of queuedStages) localQueues.push({ namespace: workflowNamespaceName(team.name, stage), name: LOCAL_QUEUE, clusterQueue: team.name, team: team.name, costCenter: team.costCenter, stage });
    if (bursts.length > 0 && queuedStages.includes('training')) {
      clusterQueues.push(clusterQueue(`${team.name}-burst`, team, ['training'], burstPools.map(({ p }) => p), MULTIKUEUE_CHECK));
      localQueues.push({ namespace: workflowNamespaceName(team.name, 'training'), name: BURST_QUEUE, clusterQueue: `${team.name}-burst`, team: team.name, costCenter: team.costCenter, stage: 'training' });
    }
  }
  return {
    flavors,
    clusterQueues,
    localQueues,
    ...(bursts.length > 0 ? { multiKueue: { clusters: bursts.map((c) => ({ name: c.name, kubeconfigSecret: multiKueueSecretName(c.name) })) } } : {}),
  };
}
