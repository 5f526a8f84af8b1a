/**
 * Helpers for the LLM serving checks of platform.test.ts: which synthesized objects belong to LLM
 * serving, a server-side apply dry run, and a check that the API server kept every field the
 * platform wrote (a CRD schema prunes unknown fields silently: an accepted object can still have
 * lost them).
 */
import { ManifestObject } from '../../stacks/manifests';
import { KubeApi } from './api-client';
import { FIELD_MANAGER } from './platform-helpers';

/** Kinds LLM serving renders or could render (HTTPRoutes and InferencePools are KServe's, from route: {} and scheduler: {}). */
export const LLM_KINDS = ['Gateway', 'HTTPRoute', 'LLMInferenceServiceConfig', 'LLMInferenceService', 'InferencePool'] as const;

/** LLM serving objects of one cluster's output: the LLM kinds, the NetworkPolicies of the namespaces they live in, the PodMonitors. */
export function llmServingObjects(objects: readonly ManifestObject[]): ManifestObject[] {
  const llm = objects.filter((o) => (LLM_KINDS as readonly string[]).includes(o.kind));
  const namespaces = new Set(llm.map((o) => o.metadata.namespace));
  return [...llm, ...objects.filter((o) => (o.kind === 'NetworkPolicy' && namespaces.has(o.metadata.namespace)) || o.kind === 'PodMonitor')];
}

/** Paths (dotted) of fields the rendered object has and the stored one lacks or holds differently. */
export function lostFields(rendered: unknown, stored: unknown, at = ''): string[] {
  if (rendered !== null && typeof rendered === 'object') {
    if (stored === null || typeof stored !== 'object') return [at || '.'];
    return Object.entries(rendered as Record<string, unknown>).flatMap(([k, v]) => lostFields(v, (stored as Record<string, unknown>)[k], at === '' ? k : `${at}.${k}`));
  }
  return rendered === stored ? [] : [`${at}: ${JSON.stringify(rendered)} -> ${JSON.stringify(stored)}`];
}

export interface DryRun {
  readonly status: number;
  /** The object as the server would store it (on success). */
  readonly object?: Record<string, unknown>;
  readonly message?: string;
}

/** Server-side apply with dryRun=All: schema, CEL rules and admission run, nothing is stored. */
export async function serverSideApplyDryRun(api: KubeApi, o: ManifestObject): Promise<DryRun> {
  const res = await api.request('PATCH', `${await api.objectPath(o)}?fieldManager=${FIELD_MANAGER}&dryRun=All`, o, 'application/apply-patch+yaml');
  const body = JSON.parse(res.body) as Record<string, unknown> & { message?: string };
  return res.status === 200 || res.status === 201 ? { status: res.status, object: body } : { status: res.status, message: body.message ?? res.body };
}

/** POST with dryRun=All: for pods, every admission step (Pod Security, LimitRange, ResourceQuota, ValidatingAdmissionPolicies) runs. */
export async function createDryRun(api: KubeApi, o: ManifestObject): Promise<DryRun> {
  const path = (await api.objectPath(o)).replace(/\/[^/]+$/, '');
  const res = await api.request('POST', `${path}?dryRun=All`, o);
  const body = JSON.parse(res.body) as Record<string, unknown> & { message?: string };
  return res.status === 201 ? { status: 201, object: body } : { status: res.status, message: body.message ?? res.body };
}
