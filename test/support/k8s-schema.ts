/**
 * Validation of built-in Kubernetes kinds with the OpenAPI-derived models of `kubernetes-models`.
 * Returns error messages; an unknown built-in kind is an error too (so nothing slips through).
 */
interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  const modulePath = apiVersion.includes('/') ? `kubernetes-models/${apiVersion}` : `kubernetes-models/${apiVersion}`;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(modulePath) as Record<string, ModelClass | undefined>;
    return mod[kind];
  } catch {
    return undefined;
  }
}

/**
 * Built-in kinds newer than the kubernetes-models release pinned here (4.5.1 predates
 * resource.k8s.io/v1, GA in 1.34): validated by the real kube-apiserver v1.35.4 instead, in the
 * named suite (server-side apply of every one the shipped environments render).
 */
export const SERVER_VALIDATED_KINDS: Readonly<Record<string, string>> = {
  'resource.k8s.io/v1 DeviceClass': 'test/upstream/kueue-dra.test.ts',
  'resource.k8s.io/v1 ResourceClaimTemplate': 'test/upstream/kueue-dra.test.ts',
};

export function isBuiltInKind(apiVersion: string, kind: string): boolean {
  return modelFor(apiVersion, kind) !== undefined || SERVER_VALIDATED_KINDS[`${apiVersion} ${kind}`] !== undefined;
}

export function validateBuiltIn(obj: { apiVersion: string; kind: string }): string[] {
  if (SERVER_VALIDATED_KINDS[`${obj.apiVersion} ${obj.kind}`] !== undefined && modelFor(obj.apiVersion, obj.kind) === undefined) return [];
  const Model = modelFor(obj.apiVersion, obj.kind);
  if (Model === undefined) return [`no Kubernetes schema for ${obj.apiVersion} ${obj.kind}`];
  try {
    new Model(obj).validate();
    return [];
  } catch (err) {
    return [err instanceof Error ? err.message : String(err)];
  }
}
