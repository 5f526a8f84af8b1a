import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { LLM_SERVING } from '../catalog/serving';
import { LABEL, PART_OF } from '../labels';
import { ENDPOINT_PICKER_POD } from '../tenancy/network-flows';
import { VLLM_PRESET } from './llm-serving-plan';

export interface LlmRuntimeImages {
  /** vLLM model server. */
  readonly vllm: string;
  /** Endpoint picker (inference scheduler). */
  readonly endpointPicker: string;
  /** Endpoint picker's tokenizer sidecar. */
  readonly tokenizer: string;
}

export interface LlmRuntimePresetProps {
  /** Serving namespace the preset lives in (KServe resolves baseRefs in the service's namespace first). */
  readonly namespace: string;
  /** Team owning the namespace (cost labels). */
  readonly team: string;
  /** The team's cost center label value. */
  readonly costCenter: string;
  /** Images, already pointed at the mirror where the spec mirrors. @default the catalog's (LLM_SERVING.images) */
  readonly images?: LlmRuntimeImages;
}

/** Restricted Pod Security for every container (KServe's templates leave runAsNonRoot to the image for some). */
export const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

/** CPU and memory of a model server that names the preset without its own (the spec's llmServices[].cpu / memoryGiB defaults). */
export const MODEL_SERVER_HOST = { cpu: '4', memory: '32Gi' } as const;
/**
 * The endpoint picker: upstream's requests, limits bounded (upstream allows 6 CPUs and 16Gi). With
 * the tokenizer's, its requests are ENDPOINT_PICKER_REQUESTS (environments/serving-schema.ts), which
 * the spec check counts against each serving quota.
 */
export const EPP_RESOURCES = { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } } as const;
export const TOKENIZER_RESOURCES = { requests: { cpu: '256m', memory: '500Mi' }, limits: { cpu: '1', memory: '1Gi' } } as const;

/**
 * The platform's vLLM preset: an LLMInferenceServiceConfig that KServe merges over its well-known
 * configs for every service that names it in baseRefs. It pins every image the services run (model
 * server, multi-node workers, endpoint picker and its tokenizer) to the catalog's, so the upstream
 * templates' images (unmirrored) never reach a pod, and labels the endpoint picker for its network
 * policy and monitor. Container fields merge by name with the well-known templates.
 */
export class LlmRuntimePreset extends Construct {
  /** Name services put in baseRefs. */
  readonly name = VLLM_PRESET;

  constructor(scope: Construct, id: string, props: LlmRuntimePresetProps) {
    super(scope, id);
    const images = props.images ?? LLM_SERVING.images;
    // Host CPU and memory of a model server; services add their GPUs (llm-inference-service.ts).
    const main = { name: 'main', image: images.vllm, securityContext: { ...RESTRICTED_CONTAINER }, resources: { requests: { ...MODEL_SERVER_HOST }, limits: { ...MODEL_SERVER_HOST } } };
    new ApiObject(this, 'preset', {
      apiVersion: LLM_SERVING.apiVersion,
      kind: 'LLMInferenceServiceConfig',
      metadata: { name: VLLM_PRESET, namespace: props.namespace, labels: { [LABEL.partOf]: PART_OF, [LABEL.team]: props.team, [LABEL.stage]: 'serving', [LABEL.costCenter]: props.costCenter } },
      spec: {
        template: { containers: [main] },
        router: {
          scheduler: {
            labels: { ...ENDPOINT_PICKER_POD },
            template: {
              containers: [
                { name: 'main', image: images.endpointPicker, securityContext: { ...RESTRICTED_CONTAINER, readOnlyRootFilesystem: true }, resources: EPP_RESOURCES },
                { name: 'tokenizer', image: images.tokenizer, securityContext: { ...RESTRICTED_CONTAINER, readOnlyRootFilesystem: true }, resources: TOKENIZER_RESOURCES },
              ],
            },
          },
        },
      },
    });
  }
}
