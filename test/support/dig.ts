/** Reads a value at a dotted path (numbers index arrays) from synthesized JSON, for assertions. */
export function dig(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((cur, key) => (cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined), value);
}
