/**
 * SubjectAccessReviews in bulk: the permission matrix asked of the real RBAC authorizer,
 * one cell per review, posted over a keep-alive pool (thousands per second).
 *
 * Subjects are synthetic identities, never the admin: a user name no binding mentions plus
 * the group the matrix binds (and `system:authenticated`, which every real user carries,
 * so the bootstrap roles granted to it are part of what is checked).
 */
import { ciDeployerName } from '../../constructs/access/least-privilege-rbac';
import { allowedCells, matrixResources, Persona, PERSONAS } from '../../constructs/access/permission-matrix';
import { PLATFORM_NAMESPACES, workflowNamespaceName } from '../../constructs/tenancy/platform-namespaces';
import { PlatformSpec, Stage } from '../../environments';
import { KubeApi, mapConcurrent } from './api-client';

export const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] as const;

export interface Subject {
  /** For messages, e.g. `vision/data-scientist (vision-ds)`. */
  readonly label: string;
  readonly user: string;
  readonly groups: readonly string[];
}

export interface Probe {
  readonly subject: Subject;
  readonly verb: string;
  /** Resource probes: group, resource (`pods/exec` = resource pods, subresource exec), namespace (absent = cluster scope). */
  readonly group?: string;
  readonly resource?: string;
  readonly namespace?: string;
  /** Non-resource probes, e.g. /metrics. */
  readonly path?: string;
  readonly want: boolean;
}

export interface ProbeResult {
  readonly checked: number;
  readonly allowed: number;
  readonly denied: number;
  readonly mismatches: readonly string[];
}

interface SarStatus {
  readonly status?: { readonly allowed?: boolean; readonly denied?: boolean; readonly reason?: string; readonly evaluationError?: string };
}

export const describeProbe = (p: Probe): string =>
  p.path !== undefined
    ? `${p.subject.label} ${p.verb} ${p.path}`
    : `${p.subject.label} ${p.verb} ${p.group === '' ? 'core' : p.group}/${p.resource} in ${p.namespace ?? '(cluster)'}`;

function sarBody(p: Probe): Record<string, unknown> {
  const spec: Record<string, unknown> = { user: p.subject.user, groups: [...p.subject.groups] };
  if (p.path !== undefined) {
    spec.nonResourceAttributes = { path: p.path, verb: p.verb };
  } else {
    const [resource, subresource] = (p.resource ?? '').split('/');
    spec.resourceAttributes = {
      verb: p.verb,
      group: p.group ?? '',
      resource,
      ...(subresource === undefined ? {} : { subresource }),
      ...(p.namespace === undefined ? {} : { namespace: p.namespace }),
    };
  }
  return { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec };
}

/** Posts one SubjectAccessReview per probe and compares each answer with `want`. */
export async function runProbes(api: KubeApi, probes: readonly Probe[]): Promise<ProbeResult> {
  const answers = await mapConcurrent(probes, api.concurrency, async (p) => {
    const res = await api.json<SarStatus>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', sarBody(p));
    if (res.status?.evaluationError) {
      throw new Error(`${describeProbe(p)}: evaluation error ${res.status.evaluationError}`);
    }
    return res.status?.allowed === true;
  });
  const mismatches: string[] = [];
  probes.forEach((p, i) => {
    if (answers[i] !== p.want) {
      mismatches.push(`${describeProbe(p)}: want ${p.want ? 'allowed' : 'denied'}, got ${answers[i] ? 'allowed' : 'denied'}`);
    }
  });
  const allowed = answers.filter(Boolean).length;
  return { checked: probes.length, allowed, denied: probes.length - allowed, mismatches };
}

type Team = PlatformSpec['teams'][number];

/** The identities the matrix binds for one persona of one team (none for a persona without groups). */
export function subjectsFor(team: Team, persona: Persona): Subject[] {
  const humans = (groups: readonly string[]): Subject[] =>
    groups.map((g) => ({ label: `${team.name}/${persona} (${g})`, user: `probe-${persona}@${team.name}.example`, groups: [g, 'system:authenticated'] }));
  switch (persona) {
    case 'ml-engineer':
      return humans(team.groups.mlEngineers);
    case 'data-scientist':
      return humans(team.groups.dataScientists);
    case 'viewer':
      return humans(team.groups.viewers);
    case 'ci-deployer': {
      const ns = PLATFORM_NAMESPACES.ci;
      return [
        {
          label: `${team.name}/ci-deployer (sa ${ns}/${ciDeployerName(team.name)})`,
          user: `system:serviceaccount:${ns}:${ciDeployerName(team.name)}`,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
        },
      ];
    }
  }
}

export interface TeamSubject {
  readonly team: Team;
  readonly persona: Persona;
  readonly subject: Subject;
}

export function allTeamSubjects(spec: PlatformSpec): TeamSubject[] {
  return spec.teams.flatMap((team) => PERSONAS.flatMap((persona) => subjectsFor(team, persona).map((subject) => ({ team, persona, subject }))));
}

const ALLOWED = new Set(allowedCells().map((c) => `${c.persona}|${c.stage}|${c.group}|${c.resource}|${c.verb}`));

/** Every persona x verb x matrix resource x own team namespace, with the matrix's answer. */
export function matrixProbes(spec: PlatformSpec, stages: readonly Stage[]): Probe[] {
  const probes: Probe[] = [];
  for (const { team, persona, subject } of allTeamSubjects(spec)) {
    for (const stage of stages) {
      for (const { group, resource } of matrixResources()) {
        for (const verb of VERBS) {
          const want = ALLOWED.has(`${persona}|${stage}|${group}|${resource}|${verb}`);
          probes.push({ subject, verb, group, resource, namespace: workflowNamespaceName(team.name, stage), want });
        }
      }
    }
  }
  return probes;
}

/**
 * Everything a subject may do at home (the union of its allowed cells over the cluster's stages),
 * asked in every namespace that is not its team's: other teams' workload namespaces and the
 * platform's own. All must be denied. (Cells denied at home are covered by matrixProbes.)
 */
export function foreignNamespaceProbes(spec: PlatformSpec, stages: readonly Stage[], platformNamespaces: readonly string[]): Probe[] {
  const probes: Probe[] = [];
  for (const { team, persona, subject } of allTeamSubjects(spec)) {
    const powers = new Map<string, { group: string; resource: string; verb: string }>();
    for (const c of allowedCells()) {
      if (c.persona === persona && stages.includes(c.stage)) powers.set(`${c.group}|${c.resource}|${c.verb}`, { group: c.group, resource: c.resource, verb: c.verb });
    }
    const foreign = [
      ...spec.teams.filter((t) => t.name !== team.name).flatMap((t) => stages.map((s) => workflowNamespaceName(t.name, s))),
      ...platformNamespaces,
    ];
    for (const namespace of foreign) {
      for (const { group, resource, verb } of powers.values()) probes.push({ subject, verb, group, resource, namespace, want: false });
    }
  }
  return probes;
}

/** Cluster-scoped and privilege-escalation actions: nobody but platform-admin. */
export const CLUSTER_ACTIONS: readonly { readonly group: string; readonly resource: string; readonly verbs: readonly string[] }[] = [
  { group: '', resource: 'namespaces', verbs: ['list', 'create', 'delete'] },
  { group: '', resource: 'nodes', verbs: ['get', 'list', 'patch', 'delete'] },
  { group: '', resource: 'persistentvolumes', verbs: ['list', 'create'] },
  { group: '', resource: 'secrets', verbs: ['list'] },
  { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', verbs: ['create', 'bind', 'escalate'] },
  { group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings', verbs: ['create', 'update'] },
  { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', verbs: ['create', 'delete'] },
  { group: 'admissionregistration.k8s.io', resource: 'validatingadmissionpolicies', verbs: ['create', 'delete'] },
  { group: 'kueue.x-k8s.io', resource: 'clusterqueues', verbs: ['update', 'delete'] },
  { group: '', resource: 'users', verbs: ['impersonate'] },
];

export function clusterScopeProbes(subjects: readonly Subject[], want: boolean): Probe[] {
  return subjects.flatMap((subject) => CLUSTER_ACTIONS.flatMap(({ group, resource, verbs }) => verbs.map((verb): Probe => ({ subject, verb, group, resource, want }))));
}

/** platform-admin: every matrix cell in the given namespaces, cluster-scoped actions, non-resource URLs. */
export function platformAdminProbes(spec: PlatformSpec, namespaces: readonly string[]): Probe[] {
  const admins: Subject[] = spec.platformAdmins.map((g) => ({ label: `platform-admin (${g})`, user: `probe-admin@${g}.example`, groups: [g, 'system:authenticated'] }));
  const probes: Probe[] = [...clusterScopeProbes(admins, true)];
  for (const subject of admins) {
    for (const namespace of namespaces) {
      for (const { group, resource } of matrixResources()) {
        for (const verb of [...VERBS, 'deletecollection']) probes.push({ subject, verb, group, resource, namespace, want: true });
      }
    }
    for (const path of ['/metrics', '/readyz', '/debug/pprof']) probes.push({ subject, verb: 'get', path, want: true });
  }
  return probes;
}
