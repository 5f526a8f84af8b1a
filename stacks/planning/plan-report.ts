import { ClusterPlan, EnvironmentPlan, hasChanges } from './environment-plan';
import { diffLines } from './line-diff';
import { FieldChange } from './object-diff';

/** A value on one line, short enough to read in a review; long values are cut with their length. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length <= 120 ? text : `${text.slice(0, 100)}… (${text.length} chars)`;
}

function fieldLine(f: FieldChange): string {
  if (!('before' in f)) return `      + ${f.path}: ${show(f.after)}`;
  if (!('after' in f)) return `      - ${f.path}: ${show(f.before)}`;
  if (typeof f.before === 'string' && typeof f.after === 'string' && (f.before.includes('\n') || f.after.includes('\n'))) {
    const lines = diffLines(f.before, f.after);
    if (lines !== undefined) return [`      ~ ${f.path}: (text, ${lines.length} lines differ)`, ...lines.map((l) => `          ${l.op} ${l.line}`)].join('\n');
  }
  return `      ~ ${f.path}: ${show(f.before)} -> ${show(f.after)}`;
}

function clusterLines(c: ClusterPlan): string[] {
  const head = `cluster ${c.cluster}${c.status === 'new' ? ' (new)' : c.status === 'removed' ? ' (removed)' : ''}: ` +
    (c.status === 'unchanged' ? 'no changes' : `${c.added.length} to add, ${c.changed.length} to change, ${c.removed.length} to remove`);
  return [
    head,
    ...c.added.map((k) => `  + ${k}`),
    ...c.changed.flatMap((ch) => [`  ~ ${ch.key}`, ...ch.fields.map(fieldLine)]),
    ...c.removed.map((k) => `  - ${k}`),
  ];
}

const clusters = (n: number): string => `${n} cluster${n === 1 ? '' : 's'}`;

/** The plan as text: each cluster's objects, then one summary line. */
export function formatPlan(env: string, against: string, plan: EnvironmentPlan): string {
  const touched = plan.clusters.filter((c) => c.status !== 'unchanged').length;
  const summary = hasChanges(plan)
    ? `${env}: ${plan.added} to add, ${plan.changed} to change, ${plan.removed} to remove on ${touched} of ${clusters(plan.clusters.length)} (against ${against})`
    : `${env}: no changes on ${clusters(plan.clusters.length)} (against ${against})`;
  return [...plan.clusters.flatMap(clusterLines), summary].join('\n');
}
