import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { GITOPS } from '../catalog';
import { LLM_SERVING } from '../catalog/serving';
import { FluxKustomization } from '../delivery/flux-kustomization';
import { LABEL, PART_OF } from '../labels';

/** Flux objects' names. */
export const GATEWAY_API_SOURCE = 'gateway-api';

/**
 * The Gateway API standard-channel CRDs (Gateway, HTTPRoute, ...), which no pinned chart ships:
 * a GitRepository at the catalog's tag and a Flux Kustomization that applies the CRD directory.
 * Istio and KServe's controller read them; the InferencePool CRD comes with kserve-llmisvc.
 */
export class GatewayApiCrds extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const pin = LLM_SERVING.gatewayApi;
    new ApiObject(this, 'source', {
      apiVersion: GITOPS.sourceApiVersion,
      kind: 'GitRepository',
      metadata: { name: GATEWAY_API_SOURCE, namespace: GITOPS.namespace, labels: { [LABEL.partOf]: PART_OF } },
      spec: { url: pin.url, ref: { tag: pin.tag }, interval: GITOPS.interval },
    });
    new FluxKustomization(this, 'crds', { name: GATEWAY_API_SOURCE, source: GATEWAY_API_SOURCE, path: pin.path });
  }
}
