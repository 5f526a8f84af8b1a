import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { LLM_SERVING } from '../catalog/serving';
import { LABEL, PART_OF } from '../labels';

export interface InferenceGatewayProps {
  /** Namespace of the Gateway: the platform gateway namespace. */
  readonly namespace: string;
  /** Gateway name. @default 'inference' */
  readonly name?: string;
  /** GatewayClass of the implementation. @default LLM_SERVING.gatewayClass (Kubeflow's Istio) */
  readonly gatewayClassName?: string;
}

/** Port of the gateway's HTTP listener. */
export const INFERENCE_GATEWAY_PORT = 80;

/**
 * The one shared inference Gateway (Gateway API) of a cluster. Istio deploys its Envoy in the
 * gateway namespace; with the Inference Extension on (istiod ENABLE_GATEWAY_API_INFERENCE_EXTENSION),
 * HTTPRoutes to an InferencePool go through the pool's endpoint picker. Only serving namespaces may
 * attach routes (the namespace stage label the platform sets), so no other namespace publishes an
 * endpoint on it.
 */
export class InferenceGateway extends Construct {
  readonly name: string;
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: InferenceGatewayProps) {
    super(scope, id);
    this.name = props.name ?? 'inference';
    this.namespace = props.namespace;
    new ApiObject(this, 'gateway', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: this.name, namespace: this.namespace, labels: { [LABEL.partOf]: PART_OF } },
      spec: {
        gatewayClassName: props.gatewayClassName ?? LLM_SERVING.gatewayClass,
        listeners: [
          {
            name: 'http',
            protocol: 'HTTP',
            port: INFERENCE_GATEWAY_PORT,
            allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { [LABEL.stage]: 'serving' } } }, kinds: [{ kind: 'HTTPRoute' }] },
          },
        ],
      },
    });
  }
}
