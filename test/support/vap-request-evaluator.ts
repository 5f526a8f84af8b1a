import { run } from '@bufbuild/cel';

/**
 * Evaluates a ValidatingAdmissionPolicy the way the API server does for one admission request:
 * matchConditions first (a policy that does not match admits), then variables in order, then the
 * validations, with `object`, `request` and `namespaceObject` bound (vap-evaluator.ts binds only
 * `object`). CEL by @bufbuild/cel.
 */
type CelInput = Parameters<typeof run>[1] extends infer B ? (B extends Record<string, infer V> ? V : never) : never;

function toCel(value: unknown): CelInput {
  if (Array.isArray(value)) return value.map(toCel) as unknown as CelInput;
  if (value !== null && typeof value === 'object') return new Map(Object.entries(value).map(([k, v]) => [k, toCel(v)])) as unknown as CelInput;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value) as unknown as CelInput;
  return value as CelInput;
}

export interface RequestPolicySpec {
  matchConditions?: { name: string; expression: string }[];
  variables?: { name: string; expression: string }[];
  validations: { expression: string; messageExpression?: string; message?: string }[];
}

export interface AdmissionRequest {
  readonly object: unknown;
  readonly user: { readonly username: string; readonly groups: readonly string[] };
  readonly namespaceLabels: Readonly<Record<string, string>>;
}

/** 'not matched', or the messages of the failed validations (empty when admitted). */
export function admit(spec: RequestPolicySpec, req: AdmissionRequest): string[] | 'not matched' {
  const variables = new Map<string, CelInput>();
  const bindings = () => ({
    object: toCel(req.object),
    request: toCel({ userInfo: { username: req.user.username, groups: [...req.user.groups] } }),
    namespaceObject: toCel({ metadata: { labels: { ...req.namespaceLabels } } }),
    variables: variables as unknown as CelInput,
  });
  for (const m of spec.matchConditions ?? []) if (run(m.expression, bindings()) !== true) return 'not matched';
  for (const v of spec.variables ?? []) variables.set(v.name, run(v.expression, bindings()) as CelInput);
  const failures: string[] = [];
  for (const check of spec.validations) {
    if (run(check.expression, bindings()) !== true) failures.push(check.messageExpression !== undefined ? String(run(check.messageExpression, bindings())) : (check.message ?? check.expression));
  }
  return failures;
}
