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

export function isBuiltInKind(apiVersion: string, kind: string): boolean {
  return modelFor(apiVersion, kind) !== undefined;
}

export function validateBuiltIn(obj: { apiVersion: string; kind: string }): string[] {
  const Model = modelFor(obj.apiVersion, obj.kind);
  if (Model === undefined) return [`no Kubernetes schema for ${obj.apiVersion} ${obj.kind}`];
  try {
    new Model(obj).validate();
    return [];
  } catch (err) {
    return [err instanceof Error ? err.message : String(err)];
  }
}
