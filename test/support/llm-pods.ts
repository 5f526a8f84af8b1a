/**
 * The pod specs an LLMInferenceService leads to, as far as the objects themselves decide them,
 * without KServe's controller: the service's spec merged over the LLMInferenceServiceConfigs it
 * names in baseRefs. KServe v0.20 merges the configs and the service with a strategic merge patch
 * (pkg/controller/llmisvc, mergeSpecs: "performs a strategic merge by creating a clean patch from
 * the override object and applying it to the base object"); for the fields a pod template carries
 * that means: maps merge key by key, `containers` merge by name, other lists are replaced.
 * KServe's well-known configs (merged under every service) and what the controller adds itself
 * (storage initializer, probes, TLS volumes, env) are not here: the platform preset pins every
 * image those would bring (constructs/serving/llm-runtime-preset.ts).
 */
import { ManifestObject } from '../../stacks/manifests';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Strategic merge of two pod-spec fragments: maps merge, containers merge by name, other lists are replaced. */
export function mergePodSpec(base: unknown, override: unknown, key = ''): unknown {
  if (override === undefined) return base;
  if (Array.isArray(override)) {
    if (!['containers', 'initContainers'].includes(key) || !Array.isArray(base)) return override;
    const byName = new Map((base as Json[]).map((c) => [String(c.name), c]));
    for (const c of override as Json[]) byName.set(String(c.name), mergePodSpec(byName.get(String(c.name)), c) as Json);
    return [...byName.values()];
  }
  if (!isObj(override) || !isObj(base)) return override;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = mergePodSpec(base[k], v, k);
  return out;
}

/** One pod an LLMInferenceService leads to. */
export interface LlmPod {
  /** model-server (single-node pods and multi-node leaders), worker (multi-node) or endpoint-picker. */
  readonly role: 'model-server' | 'worker' | 'endpoint-picker';
  readonly pod: ManifestObject;
}

/**
 * The merged pod specs of a service: its model server, its LeaderWorkerSet worker when it has a
 * worker template, and the endpoint picker when it asks for a managed scheduler (router.scheduler).
 * Throws when a config named in baseRefs is not among `configs` (same namespace).
 */
export function llmPods(service: ManifestObject, configs: readonly ManifestObject[]): LlmPod[] {
  const spec = (service.spec ?? {}) as Json;
  const refs = ((spec.baseRefs as { name: string }[] | undefined) ?? []).map((r) => r.name);
  const bases = refs.map((name) => {
    const cfg = configs.find((c) => c.kind === 'LLMInferenceServiceConfig' && c.metadata.name === name && c.metadata.namespace === service.metadata.namespace);
    if (cfg === undefined) throw new Error(`${service.metadata.namespace}/${service.metadata.name}: spec.baseRefs names LLMInferenceServiceConfig "${name}", which is not in namespace ${service.metadata.namespace}`);
    return (cfg.spec ?? {}) as Json;
  });
  const merged = [...bases, spec].reduce<Json>((acc, s) => mergePodSpec(acc, s) as Json, {});
  const pod = (role: LlmPod['role'], podSpec: unknown): LlmPod => ({
    role,
    pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${service.metadata.name}-${role}`, namespace: service.metadata.namespace, labels: { ...((merged.labels as Record<string, string>) ?? {}) } }, spec: podSpec as Json },
  });
  const router = (merged.router ?? {}) as Json;
  const scheduler = router.scheduler as Json | undefined;
  return [
    pod('model-server', merged.template),
    // A worker template makes the service a LeaderWorkerSet: taken as merged, it must be complete on its own.
    ...(merged.worker !== undefined ? [pod('worker', merged.worker)] : []),
    ...(scheduler?.template !== undefined ? [pod('endpoint-picker', scheduler.template)] : []),
  ];
}
