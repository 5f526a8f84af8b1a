import { ClusterSpec, GpuPoolSpec, PlatformSpec } from '../../environments/schema';
import { poolSelectorLabels } from '../gpu/gpu-node-pool';
import { GPU_TOLERATION, poolResourceName } from '../gpu/gpu-scheduling';
import { LOCAL_QUEUE } from '../queues/queue-plan';
import { workflowNamespaceName } from '../tenancy/platform-namespaces';

/**
 * What each team's LLM services become on one cluster, planned from the spec: namespace, pool
 * placement, GPU requests, replicas and the Kueue labels that send the model servers through the
 * team's serving queue. Pure: constructs render it, tests walk it. LLM services run on the primary.
 */

/** Name of the platform's vLLM preset (an LLMInferenceServiceConfig in each serving namespace). */
export const VLLM_PRESET = 'platform-vllm';
/** Kueue priority of model servers: production serving preempts training and experiments. */
export const SERVING_PRIORITY = 'production-serving';
/** Labels Kueue reads; KServe copies `kueue.x-k8s.io/*` labels of the service to its Deployments and LeaderWorkerSets. */
export const KUEUE_QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';
export const KUEUE_PRIORITY_LABEL = 'kueue.x-k8s.io/priority-class';

export interface LlmServicePlan {
  readonly team: string;
  readonly costCenter: string;
  readonly namespace: string;
  readonly name: string;
  /** Model name clients send (`model` in the OpenAI API). */
  readonly modelName: string;
  readonly modelUri: string;
  readonly pool: string;
  /** Extended resource the model server asks for: nvidia.com/gpu or nvidia.com/gpu.shared. */
  readonly gpuResource: string;
  readonly gpusPerReplica: number;
  /** CPUs of each model-server pod (requests = limits). */
  readonly cpu: number;
  /** Host memory of each model-server pod, GiB (requests = limits). */
  readonly memoryGiB: number;
  /** 1 = single-node (Deployment); more = multi-node (LeaderWorkerSet, pipeline parallel). */
  readonly nodesPerReplica: number;
  readonly replicas: number;
  readonly maxReplicas: number;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly { readonly key: string; readonly operator: string; readonly effect: string }[];
  /** Metadata labels of the LLMInferenceService: queue and priority for Kueue. */
  readonly kueueLabels: Readonly<Record<string, string>>;
}

/** The LLM services of every team on a cluster (none off the primary, none without components.llmServing). */
export function planLlmServices(spec: PlatformSpec, cluster: ClusterSpec): LlmServicePlan[] {
  if (!spec.components.llmServing || cluster.role !== 'primary') return [];
  const pools = new Map<string, GpuPoolSpec>(cluster.gpuPools.map((p) => [p.name, p]));
  return spec.teams.flatMap((team) =>
    team.llmServices.map((svc): LlmServicePlan => {
      const pool = pools.get(svc.pool);
      if (pool === undefined) throw new Error(`${spec.name}: teams.${team.name}.llmServices.${svc.name}.pool "${svc.pool}" is not a pool of cluster "${cluster.name}" (validate the spec with parseSpec first)`);
      return {
        team: team.name,
        costCenter: team.costCenter,
        namespace: workflowNamespaceName(team.name, 'serving'),
        name: svc.name,
        modelName: svc.modelName ?? svc.name,
        modelUri: svc.modelUri,
        pool: pool.name,
        gpuResource: poolResourceName(pool),
        gpusPerReplica: svc.gpusPerReplica,
        cpu: svc.cpu,
        memoryGiB: svc.memoryGiB,
        nodesPerReplica: svc.nodesPerReplica,
        replicas: svc.minReplicas,
        maxReplicas: svc.maxReplicas ?? svc.minReplicas,
        nodeSelector: poolSelectorLabels(cluster.provider, pool),
        tolerations: [{ ...GPU_TOLERATION }],
        kueueLabels: { [KUEUE_QUEUE_LABEL]: LOCAL_QUEUE, [KUEUE_PRIORITY_LABEL]: SERVING_PRIORITY },
      };
    }),
  );
}

/** Serving namespaces that run at least one LLM service. */
export function llmServingNamespaces(plans: readonly LlmServicePlan[]): string[] {
  return [...new Set(plans.map((p) => p.namespace))].sort();
}

/** Whether a cluster hosts LLM serving (the Gateway API CRDs, the inference Gateway, the presets): the primary, with llmServing on and a serving stage. */
export function hostsLlmServing(spec: PlatformSpec, cluster: ClusterSpec, stages: readonly string[]): boolean {
  return spec.components.llmServing && cluster.role === 'primary' && stages.includes('serving');
}
