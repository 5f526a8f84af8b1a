import { ManifestObject } from '../../stacks/manifests';

/** A subject as RBAC names it. */
export type Subject = { kind: 'Group'; name: string } | { kind: 'ServiceAccount'; name: string; namespace: string };

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
}

const matches = (list: readonly string[] | undefined, value: string): boolean => (list ?? []).includes('*') || (list ?? []).includes(value);

function boundTo(subject: Subject, subjects: readonly Record<string, string>[] | undefined): boolean {
  return (subjects ?? []).some((s) => s.kind === subject.kind && s.name === subject.name && (subject.kind !== 'ServiceAccount' || s.namespace === subject.namespace));
}

/**
 * What the synthesized RBAC objects allow a subject in a namespace, evaluated the way the
 * authorizer does (RoleBindings in the namespace plus ClusterRoleBindings). Offline twin of a
 * SubjectAccessReview.
 */
export function isAllowed(objs: readonly ManifestObject[], subject: Subject, namespace: string, group: string, resource: string, verb: string): boolean {
  const roles = new Map<string, Rule[]>();
  for (const o of objs) {
    if (o.kind === 'ClusterRole') roles.set(`ClusterRole/${o.metadata.name}`, (o.rules as Rule[] | undefined) ?? []);
    if (o.kind === 'Role') roles.set(`Role/${o.metadata.namespace}/${o.metadata.name}`, (o.rules as Rule[] | undefined) ?? []);
  }
  for (const b of objs) {
    const inScope = b.kind === 'ClusterRoleBinding' || (b.kind === 'RoleBinding' && b.metadata.namespace === namespace);
    if (!inScope || !boundTo(subject, b.subjects as Record<string, string>[] | undefined)) continue;
    const ref = b.roleRef as { kind: string; name: string };
    const rules = roles.get(ref.kind === 'ClusterRole' ? `ClusterRole/${ref.name}` : `Role/${namespace}/${ref.name}`) ?? [];
    if (rules.some((r) => matches(r.apiGroups, group) && matches(r.resources, resource) && matches(r.verbs, verb))) return true;
  }
  return false;
}
