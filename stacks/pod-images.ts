/** Images of every container, init container and ephemeral container in any pod spec inside a value. */
export function podSpecImages(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(podSpecImages);
  if (value === null || typeof value !== 'object') return [];
  const obj = value as Record<string, unknown>;
  const own = Array.isArray(obj.containers)
    ? ['initContainers', 'containers', 'ephemeralContainers'].flatMap((k) => ((obj[k] as Record<string, unknown>[] | undefined) ?? []).map((c) => c.image).filter((i): i is string => typeof i === 'string'))
    : [];
  return [...own, ...Object.values(obj).flatMap(podSpecImages)];
}
