import { run } from '@bufbuild/cel';

/**
 * Evaluates a ValidatingAdmissionPolicy's variables and validations the way the API server does
 * (CEL, variables in order, `object` bound to the admitted object), with @bufbuild/cel.
 */
type CelInput = Parameters<typeof run>[1] extends infer B ? (B extends Record<string, infer V> ? V : never) : never;

function toCel(value: unknown): CelInput {
  if (Array.isArray(value)) return value.map(toCel) as unknown as CelInput;
  if (value !== null && typeof value === 'object') return new Map(Object.entries(value).map(([k, v]) => [k, toCel(v)])) as unknown as CelInput;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value) as unknown as CelInput;
  return value as CelInput;
}

interface PolicySpec {
  variables?: { name: string; expression: string }[];
  validations: { expression: string; messageExpression?: string; message?: string }[];
}

/** Messages of the failed validations (empty when the object is admitted). */
export function evaluatePolicy(spec: PolicySpec, object: unknown): string[] {
  const variables = new Map<string, CelInput>();
  const bindings = () => ({ object: toCel(object), variables: variables as unknown as CelInput });
  for (const v of spec.variables ?? []) variables.set(v.name, run(v.expression, bindings()) as CelInput);
  const failures: string[] = [];
  for (const check of spec.validations) {
    if (run(check.expression, bindings()) !== true) {
      failures.push(check.messageExpression !== undefined ? String(run(check.messageExpression, bindings())) : (check.message ?? check.expression));
    }
  }
  return failures;
}
