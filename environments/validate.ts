import { z } from 'zod';
import { crossCheck, SpecIssue } from './cross-checks';
import { PlatformSpec, PlatformSpecInput, platformSpecSchema } from './schema';

/** A spec that cannot be used. The message lists every problem, one per line. */
export class SpecError extends Error {
  constructor(
    readonly environment: string,
    readonly issues: readonly string[],
  ) {
    super(`invalid environment spec "${environment}":\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'SpecError';
  }
}

/** `clusters[1].gpuPools[0].maxNodes` */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc === '' ? String(key) : `${acc}.${String(key)}`), '');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Turns zod's issue into "path what-is-allowed (got value)". */
function describeZodIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const value = valueAt(input, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined ? `is required (expected ${issue.expected})` : `must be ${issue.expected === 'int' ? 'an integer' : `of type ${issue.expected}`} (got ${show(value)})`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join(', ')} (got ${show(value)})`;
    case 'too_small':
      return issue.origin === 'array'
        ? `must have at least ${String(issue.minimum)} item(s) (got ${Array.isArray(value) ? value.length : show(value)})`
        : `must be >= ${String(issue.minimum)} (got ${show(value)})`;
    case 'too_big':
      return issue.origin === 'string' ? `must be at most ${String(issue.maximum)} characters (got ${show(value)})` : `must be <= ${String(issue.maximum)} (got ${show(value)})`;
    case 'unrecognized_keys':
      return `has unknown field(s) ${issue.keys.join(', ')}: remove them or check the spelling`;
    case 'invalid_key':
      return `has an unknown key (got ${show(value)})`;
    default:
      return `${issue.message} (got ${show(value)})`;
  }
}

function line(env: string, path: readonly PropertyKey[], message: string): string {
  const where = formatPath(path);
  return where === '' ? `${env}: ${message}` : `${env}: ${where} ${message}`;
}

/**
 * Validates a spec and fills in its defaults. Throws SpecError naming every bad field, its value and
 * what is allowed, before anything is synthesized or written.
 */
export function parseSpec(input: PlatformSpecInput | unknown, label?: string): PlatformSpec {
  const env = label ?? (typeof input === 'object' && input !== null && typeof (input as { name?: unknown }).name === 'string' ? (input as { name: string }).name : '<unnamed>');
  const parsed = platformSpecSchema.safeParse(input);
  if (!parsed.success) {
    throw new SpecError(env, parsed.error.issues.map((i) => line(env, i.path, describeZodIssue(i, input))));
  }
  const issues: SpecIssue[] = crossCheck(parsed.data);
  if (issues.length > 0) {
    throw new SpecError(env, issues.map((i) => line(env, i.path, i.message)));
  }
  return parsed.data;
}
