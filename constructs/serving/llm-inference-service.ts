import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { LLM_SERVING } from '../catalog/serving';
import { LABEL, PART_OF } from '../labels';
import { STAGE_SERVICE_ACCOUNT } from '../tenancy/workflow-namespace';
import { LlmServicePlan, VLLM_PRESET } from './llm-serving-plan';
import { RESTRICTED_CONTAINER } from './llm-runtime-preset';

export interface LlmInferenceServiceProps {
  /** The planned service (constructs/serving/llm-serving-plan.ts). */
  readonly plan: LlmServicePlan;
  /** The shared inference Gateway the service's HTTPRoute attaches to. */
  readonly gateway: { readonly name: string; readonly namespace: string };
  /** Model server image (single-node pods and multi-node leaders and workers). @default LLM_SERVING.images.vllm (mirrored at synth where the spec mirrors) */
  readonly image?: string;
}

/** The model server container's resources: the spec's CPU and memory, GPUs from the pool, requests equal to limits (Kueue counts requests). */
function containerResources(plan: LlmServicePlan) {
  const amounts = { cpu: String(plan.cpu), memory: `${plan.memoryGiB}Gi`, [plan.gpuResource]: String(plan.gpusPerReplica) };
  return { requests: { ...amounts }, limits: { ...amounts } };
}

/**
 * One team LLM service: a KServe LLMInferenceService on the platform's vLLM preset, placed on its
 * GPU pool, queued through the team's serving LocalQueue at production-serving priority (Kueue
 * labels on the service, which KServe copies to the Deployment or LeaderWorkerSet and its pods),
 * routed by a controller-managed HTTPRoute on the shared inference Gateway through an InferencePool
 * and its endpoint picker. Multi-node services add a LeaderWorkerSet worker template (pipeline
 * parallel over nodesPerReplica pods).
 */
export class LlmInferenceService extends Construct {
  constructor(scope: Construct, id: string, props: LlmInferenceServiceProps) {
    super(scope, id);
    const { plan } = props;
    const multiNode = plan.nodesPerReplica > 1;
    // Complete on its own (image, restricted security context, resources): the preset merges under it.
    const podSpec = {
      serviceAccountName: STAGE_SERVICE_ACCOUNT,
      nodeSelector: { ...plan.nodeSelector },
      tolerations: plan.tolerations.map((t) => ({ ...t })),
      containers: [{ name: 'main', image: props.image ?? LLM_SERVING.images.vllm, securityContext: { ...RESTRICTED_CONTAINER }, resources: containerResources(plan) }],
    };
    new ApiObject(this, 'service', {
      apiVersion: LLM_SERVING.apiVersion,
      kind: 'LLMInferenceService',
      metadata: {
        name: plan.name,
        namespace: plan.namespace,
        labels: { [LABEL.partOf]: PART_OF, [LABEL.team]: plan.team, [LABEL.stage]: 'serving', [LABEL.costCenter]: plan.costCenter, [LABEL.pool]: plan.pool, ...plan.kueueLabels },
      },
      spec: {
        baseRefs: [{ name: VLLM_PRESET }],
        model: { uri: plan.modelUri, name: plan.modelName },
        replicas: plan.replicas,
        // Pod labels for showback by team and pool (the model server's own labels are KServe's).
        labels: { [LABEL.team]: plan.team, [LABEL.stage]: 'serving', [LABEL.costCenter]: plan.costCenter, [LABEL.pool]: plan.pool },
        ...(multiNode ? { parallelism: { tensor: plan.gpusPerReplica, pipeline: plan.nodesPerReplica } } : plan.gpusPerReplica > 1 ? { parallelism: { tensor: plan.gpusPerReplica } } : {}),
        template: podSpec,
        ...(multiNode ? { worker: podSpec } : {}),
        router: {
          gateway: { refs: [{ name: props.gateway.name, namespace: props.gateway.namespace }] },
          route: {},
          scheduler: {},
        },
      },
    });
  }
}
