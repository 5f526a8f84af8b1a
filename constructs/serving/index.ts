/**
 * LLM serving: the plan of each team's LLM services, the platform vLLM preset, the services
 * themselves (KServe LLMInferenceService), the shared inference Gateway and the Gateway API CRDs.
 */
export * from './gateway-api-crds';
export * from './inference-gateway';
export * from './llm-inference-service';
export * from './llm-runtime-preset';
export * from './llm-serving-plan';
