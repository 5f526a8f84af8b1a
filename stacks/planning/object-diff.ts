/**
 * Field-level difference of two Kubernetes objects, as a reviewer reads it: one line per leaf that
 * was added, removed or changed, at a path such as `spec.hard["requests.nvidia.com/gpu"]`.
 * Lists of named entries (containers, env, ports, rules with `name`) are matched by name so that
 * inserting one entry reads as one addition, not as every later entry changing.
 */

/** One changed leaf; `before`/`after` are absent when the field was added/removed. */
export interface FieldChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function keyPath(parent: string, key: string): string {
  if (IDENTIFIER.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

const isRecord = (v: unknown): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Fields that name an entry of a list: containers and ports by `name`, Prometheus rules by `alert`/`record`. */
const NAMING_FIELDS = ['name', 'alert', 'record'] as const;

/** The name of every entry when all entries are objects with distinct names, else undefined. */
function entryNames(list: readonly Json[]): string[] | undefined {
  const names = list.map((e) => {
    if (!isRecord(e)) return undefined;
    const field = NAMING_FIELDS.find((f) => typeof e[f] === 'string');
    return field === undefined ? undefined : `${field}=${JSON.stringify(e[field])}`;
  });
  if (names.some((n) => n === undefined)) return undefined;
  return new Set(names).size === names.length ? (names as string[]) : undefined;
}

function diffInto(path: string, before: Json | undefined, after: Json | undefined, out: FieldChange[]): void {
  if (before === undefined && after === undefined) return;
  if (before === undefined) return void out.push({ path, after });
  if (after === undefined) return void out.push({ path, before });
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const k of keys) diffInto(keyPath(path, k), before[k], after[k], out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const namesBefore = entryNames(before);
    const namesAfter = entryNames(after);
    if (namesBefore && namesAfter) {
      const byName = (list: Json[], names: string[]) => new Map(names.map((n, i) => [n, list[i]]));
      const b = byName(before, namesBefore);
      const a = byName(after, namesAfter);
      const order = [...namesAfter, ...namesBefore.filter((n) => !a.has(n))];
      for (const n of order) diffInto(`${path}[${n}]`, b.get(n), a.get(n), out);
      // The same entries in another order is a change too (container order, rule order matter).
      const common = (names: string[], other: Map<string, Json>) => names.filter((n) => other.has(n)).join('\0');
      if (common(namesBefore, a) !== common(namesAfter, b)) out.push({ path: `${path}(order)`, before: namesBefore, after: namesAfter });
      return;
    }
    for (let i = 0; i < Math.max(before.length, after.length); i++) diffInto(`${path}[${i}]`, before[i], after[i], out);
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path, before, after });
}

/** Every leaf that differs between two objects, in a stable order (keys sorted, lists in order). */
export function diffObjects(before: unknown, after: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  diffInto('', before as Json, after as Json, out);
  return out;
}
