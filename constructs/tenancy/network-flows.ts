import { Stage } from '../../environments/schema';
import { NAMESPACE_NAME_LABEL } from '../labels';
import { PLATFORM_NAMESPACES, workflowNamespaceName } from './platform-namespaces';

/** Where traffic may come from or go to. */
export type FlowPeer =
  | { readonly kind: 'namespace'; readonly namespace: string; readonly podLabels?: Readonly<Record<string, string>> }
  | { readonly kind: 'same-namespace' }
  | { readonly kind: 'cidr'; readonly cidr: string };

export interface FlowPort {
  readonly protocol: 'TCP' | 'UDP';
  readonly port: number;
}

/** One allowed flow on top of the namespace's default deny. */
export interface NetworkFlow {
  /** NetworkPolicy name. */
  readonly name: string;
  /** Why the flow exists; written to the policy as an annotation. */
  readonly why: string;
  readonly direction: 'ingress' | 'egress';
  readonly peers: readonly FlowPeer[];
  /** Empty means every port. */
  readonly ports: readonly FlowPort[];
  /** Pods of the namespace the flow is for. @default every pod */
  readonly pods?: Readonly<Record<string, string>>;
}

export interface StageFlowInput {
  readonly team: string;
  readonly stage: Stage;
  /** Stages this cluster runs for the team: a flow to a stage that is absent is left out. */
  readonly stages: readonly Stage[];
  readonly objectStoreCidrs: readonly string[];
  readonly metricsPorts: readonly number[];
  /** Serving only: the namespace runs LLM services (vLLM, endpoint picker). @default false */
  readonly llmServing?: boolean;
}

/** LLM serving ports (constructs/catalog/serving.ts), repeated here so tenancy does not depend on serving. */
export const LLM_FLOW_PORTS = { modelServer: 8000, endpointPicker: 9002, endpointPickerMetrics: 9090 } as const;
/** Label of the endpoint picker pods (the platform vLLM preset sets it). */
export const ENDPOINT_PICKER_POD = { 'ml.platform/llm-role': 'endpoint-picker' } as const;

/** Port model servers and payload loggers listen on (KServe's default container port). */
export const SERVING_PORT = 8080;

const DNS: NetworkFlow = {
  name: 'allow-dns',
  why: 'every pod resolves names through the cluster DNS in kube-system',
  direction: 'egress',
  peers: [{ kind: 'namespace', namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } }],
  ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
};

/**
 * The flows a workflow stage needs, and nothing else. Pure: the same input always gives the same
 * list in the same order, so the synthesized policies are stable.
 */
export function stageNetworkFlows(input: StageFlowInput): NetworkFlow[] {
  const { team, stage, stages } = input;
  const flows: NetworkFlow[] = [
    DNS,
    {
      name: 'allow-metrics-scrape',
      why: `only the observability namespace (${PLATFORM_NAMESPACES.observability}) may scrape metrics ports`,
      direction: 'ingress',
      peers: [{ kind: 'namespace', namespace: PLATFORM_NAMESPACES.observability }],
      ports: [...new Set([...input.metricsPorts, ...(stage === 'serving' && input.llmServing === true ? [LLM_FLOW_PORTS.modelServer, LLM_FLOW_PORTS.endpointPickerMetrics] : [])])].map((port) => ({ protocol: 'TCP', port })),
    },
    {
      name: 'allow-same-namespace',
      why: 'pods of one team stage work together (distributed training rendezvous and NCCL, predictor and transformer, Spark driver and executors)',
      direction: 'ingress',
      peers: [{ kind: 'same-namespace' }],
      ports: [],
    },
    {
      name: 'allow-same-namespace-egress',
      why: 'the egress side of allow-same-namespace',
      direction: 'egress',
      peers: [{ kind: 'same-namespace' }],
      ports: [],
    },
  ];
  const llm = stage === 'serving' && input.llmServing === true;
  if ((stage === 'data-prep' || stage === 'training' || llm) && input.objectStoreCidrs.length > 0) {
    flows.push({
      name: 'allow-object-store',
      why: llm
        ? 'LLM model servers download model weights over HTTPS from object storage'
        : 'data preparation reads raw data and writes features, training reads features and writes checkpoints and models, over HTTPS to object storage',
      direction: 'egress',
      peers: input.objectStoreCidrs.map((cidr) => ({ kind: 'cidr', cidr })),
      ports: [{ protocol: 'TCP', port: 443 }],
    });
  }
  if (stage === 'serving') {
    flows.push({
      name: 'allow-gateway-ingress',
      why: `inference requests enter only through the ingress gateway (${PLATFORM_NAMESPACES.gateway})`,
      direction: 'ingress',
      peers: [{ kind: 'namespace', namespace: PLATFORM_NAMESPACES.gateway }],
      // LLM services: the gateway calls the endpoint picker (ext_proc) and then the model server it picked.
      ports: [SERVING_PORT, ...(llm ? [LLM_FLOW_PORTS.modelServer, LLM_FLOW_PORTS.endpointPicker] : [])].map((port) => ({ protocol: 'TCP' as const, port })),
    });
    if (llm) {
      flows.push({
        name: 'allow-endpoint-picker-apiserver',
        why: 'the endpoint picker watches its InferencePool and the model-server pods through the Kubernetes API (port 443 of the kubernetes Service, 6443 on the API server after NAT)',
        direction: 'egress',
        pods: { ...ENDPOINT_PICKER_POD },
        peers: [{ kind: 'cidr', cidr: '0.0.0.0/0' }],
        ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }],
      });
    }
    if (stages.includes('monitoring')) {
      flows.push({
        name: 'allow-payload-logging',
        why: 'model servers send request/response payloads to the team monitoring stage for drift detection',
        direction: 'egress',
        peers: [{ kind: 'namespace', namespace: workflowNamespaceName(team, 'monitoring') }],
        ports: [{ protocol: 'TCP', port: SERVING_PORT }],
      });
    }
  }
  if (stage === 'monitoring' && stages.includes('serving')) {
    flows.push({
      name: 'allow-payload-logging',
      why: 'receives payloads logged by the team serving stage',
      direction: 'ingress',
      peers: [{ kind: 'namespace', namespace: workflowNamespaceName(team, 'serving') }],
      ports: [{ protocol: 'TCP', port: SERVING_PORT }],
    });
  }
  return flows;
}

/** The namespaceSelector of a peer namespace, by the label the API server sets on every namespace. */
export function namespaceSelector(namespace: string): { matchLabels: Record<string, string> } {
  return { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } };
}
