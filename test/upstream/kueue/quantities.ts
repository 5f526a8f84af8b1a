/**
 * Kubernetes resource quantities (the suffixes ResourceQuotas and pod resources use here) and how
 * many more pods of one shape a namespace's ResourceQuota admits: what a scenario expects the
 * quota admission to let through.
 */

const SUFFIX: Readonly<Record<string, number>> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** A quantity as a number ('500m' -> 0.5, '32Gi' -> 34359738368); throws on a form it does not know. */
export function quantity(q: string): number {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q);
  if (m === null || (m[2] !== '' && SUFFIX[m[2]] === undefined)) throw new Error(`quantity "${q}": not a plain number with one of the suffixes ${Object.keys(SUFFIX).join(', ')}`);
  return Number(m[1]) * (m[2] === '' ? 1 : SUFFIX[m[2]]);
}

export interface ResourceQuotaStatus {
  readonly status?: { readonly hard?: Readonly<Record<string, string>>; readonly used?: Readonly<Record<string, string>> };
}

interface ContainerResources {
  readonly resources?: { readonly requests?: Readonly<Record<string, string>>; readonly limits?: Readonly<Record<string, string>> };
}

/** What one pod of these containers charges each quota key (requests.X, limits.X, pods). */
export function podCharge(containers: readonly ContainerResources[]): Record<string, number> {
  const out: Record<string, number> = { pods: 1 };
  for (const c of containers) {
    for (const [kind, values] of [['requests', c.resources?.requests ?? {}], ['limits', c.resources?.limits ?? {}]] as const) {
      for (const [name, v] of Object.entries(values)) out[`${kind}.${name}`] = (out[`${kind}.${name}`] ?? 0) + quantity(v);
    }
  }
  return out;
}

/** How many more such pods the quota admits, and the keys that stop the next one. */
export function fitsIn(quota: ResourceQuotaStatus, containers: readonly ContainerResources[]): { pods: number; binding: string[] } {
  const hard = quota.status?.hard ?? {};
  const used = quota.status?.used ?? {};
  const charge = podCharge(containers);
  const per = Object.entries(charge)
    .filter(([k, c]) => hard[k] !== undefined && c > 0)
    .map(([k, c]) => ({ key: k, pods: Math.floor((quantity(hard[k]) - quantity(used[k] ?? '0')) / c + 1e-9) }));
  if (per.length === 0) throw new Error('the quota limits none of the resources the pod asks for');
  const pods = Math.min(...per.map((p) => p.pods));
  return { pods, binding: per.filter((p) => p.pods === pods).map((p) => p.key).sort() };
}
