/**
 * LLM serving pins: the model server and endpoint picker images the platform preset runs (the
 * ones KServe v0.20.0's well-known LLMInferenceServiceConfigs name), the Gateway API CRDs and
 * their source, and the ports these components listen on.
 */
export const LLM_SERVING = {
  /** KServe API version of LLMInferenceService and LLMInferenceServiceConfig (v1alpha2 is the storage version in v0.20.0). */
  apiVersion: 'serving.kserve.io/v1alpha2',
  images: {
    /** llm-d's vLLM build (vLLM 0.19 line), the model server of every preset. */
    vllm: 'ghcr.io/llm-d/llm-d-cuda:v0.8.0',
    /** llm-d inference scheduler: the Gateway API Inference Extension endpoint picker (ext_proc). */
    endpointPicker: 'ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.9.0',
    /** Tokenizer sidecar of the endpoint picker (prefix-cache aware scoring). */
    tokenizer: 'ghcr.io/llm-d/llm-d-uds-tokenizer:vllm-v0.19.1',
  },
  ports: {
    /** vLLM's OpenAI API and /metrics (HTTPS with KServe's self-signed certificates). */
    modelServer: 8000,
    /** Endpoint picker ext_proc gRPC, called by the gateway. */
    endpointPicker: 9002,
    /** Endpoint picker /metrics. */
    endpointPickerMetrics: 9090,
  },
  /** Gateway API standard-channel CRDs, built by Flux from the upstream tag (no chart ships them). */
  gatewayApi: {
    url: 'https://github.com/kubernetes-sigs/gateway-api',
    tag: 'v1.6.1',
    commit: '8bb74df00e56ec8f944d48c25e6c1c9c2f6848e3',
    path: 'config/crd/standard',
    /** The release's standard-channel manifest (the same CRDs): what the Pulumi program applies unless the stack setting `gatewayApiCrds` names another copy. */
    installManifest: 'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml',
  },
  /** CRD groups of gatewayApi: their objects wait for those CRDs (a Flux Kustomization, or the Pulumi program's ConfigFile; not an add-on). */
  crdGroups: ['gateway.networking.k8s.io'],
  /** GatewayClass istiod registers for Kubeflow's Istio 1.28. */
  gatewayClass: 'istio',
} as const;
