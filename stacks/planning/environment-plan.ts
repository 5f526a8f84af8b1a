import { ManifestObject } from '../manifests';
import { diffObjects, FieldChange } from './object-diff';
import { SynthTree } from './synth-tree';

/** What applying the new synth would do on one cluster. */
export interface ClusterPlan {
  readonly cluster: string;
  /** The cluster is new in this spec, or gone from it (all its objects are added or removed). */
  readonly status: 'unchanged' | 'changed' | 'new' | 'removed';
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly { readonly key: string; readonly fields: readonly FieldChange[] }[];
}

export interface EnvironmentPlan {
  readonly clusters: readonly ClusterPlan[];
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
}

const EMPTY: ReadonlyMap<string, ManifestObject> = new Map();

function planCluster(cluster: string, before: ReadonlyMap<string, ManifestObject> | undefined, after: ReadonlyMap<string, ManifestObject> | undefined): ClusterPlan {
  const b = before ?? EMPTY;
  const a = after ?? EMPTY;
  const added = [...a.keys()].filter((k) => !b.has(k)).sort();
  const removed = [...b.keys()].filter((k) => !a.has(k)).sort();
  const changed = [...a.keys()]
    .filter((k) => b.has(k))
    .sort()
    .map((key) => ({ key, fields: diffObjects(b.get(key), a.get(key)) }))
    .filter((c) => c.fields.length > 0);
  const any = added.length + removed.length + changed.length > 0;
  const status = before === undefined ? 'new' : after === undefined ? 'removed' : any ? 'changed' : 'unchanged';
  return { cluster, status, added, removed, changed };
}

/** Per cluster, the objects the new synth adds, changes (field by field) and removes. Pure. */
export function planEnvironment(before: SynthTree, after: SynthTree): EnvironmentPlan {
  const names = [...new Set([...after.keys(), ...before.keys()])].sort();
  const clusters = names.map((c) => planCluster(c, before.get(c), after.get(c)));
  const sum = (f: (c: ClusterPlan) => number) => clusters.reduce((n, c) => n + f(c), 0);
  return { clusters, added: sum((c) => c.added.length), changed: sum((c) => c.changed.length), removed: sum((c) => c.removed.length) };
}

export const hasChanges = (plan: EnvironmentPlan): boolean => plan.added + plan.changed + plan.removed > 0;
