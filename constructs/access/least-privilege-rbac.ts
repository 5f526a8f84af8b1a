import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Stage } from '../../environments/schema';
import { LABEL, PART_OF } from '../labels';
import { Persona, PERSONAS, rulesFor } from './permission-matrix';
import { PLATFORM_NAMESPACES, workflowNamespaceName } from '../tenancy/platform-namespaces';

const { k8s } = kplus;

export interface RbacTeam {
  /** Team name. */
  readonly name: string;
  /** Cost center label value. */
  readonly costCenter: string;
  /** Identity-provider groups per human persona. */
  readonly groups: { readonly mlEngineers: readonly string[]; readonly dataScientists: readonly string[]; readonly viewers: readonly string[] };
  /** Stages the team has namespaces for on this cluster. */
  readonly stages: readonly Stage[];
}

export interface LeastPrivilegeRbacProps {
  /** Groups bound to the platform-admin ClusterRole. */
  readonly platformAdmins: readonly string[];
  /** Teams and their namespaces on this cluster. */
  readonly teams: readonly RbacTeam[];
}

/** ClusterRole names, shared by the construct and the tests. */
export const clusterRoleName = (persona: Persona | 'platform-admin', stage?: Stage): string =>
  stage === undefined ? `ml-platform:${persona}` : `ml-platform:${persona}:${stage}`;

/** The CI service account of a team (in the platform-ci namespace). */
export const ciDeployerName = (team: string): string => `${team}-deployer`;

function groupsOf(team: RbacTeam, persona: Persona): readonly string[] {
  switch (persona) {
    case 'ml-engineer':
      return team.groups.mlEngineers;
    case 'data-scientist':
      return team.groups.dataScientists;
    case 'viewer':
      return team.groups.viewers;
    case 'ci-deployer':
      return [];
  }
}

/**
 * Personas from the permission matrix as ClusterRoles (one per persona and stage, no wildcards),
 * bound per namespace to the team's groups; platform-admin is the only wildcard role. Roles are
 * ClusterRoles only so they are defined once: every binding is a namespaced RoleBinding.
 */
export class LeastPrivilegeRbac extends Construct {
  constructor(scope: Construct, id: string, props: LeastPrivilegeRbacProps) {
    super(scope, id);
    const labels = { [LABEL.partOf]: PART_OF };

    new k8s.KubeClusterRole(this, 'platform-admin', {
      metadata: { name: clusterRoleName('platform-admin'), labels },
      rules: [
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        { nonResourceUrLs: ['*'], verbs: ['*'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'platform-admin-binding', {
      metadata: { name: clusterRoleName('platform-admin'), labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRoleName('platform-admin') },
      subjects: props.platformAdmins.map((name) => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name })),
    });

    const stagesInUse = [...new Set(props.teams.flatMap((t) => t.stages))];
    for (const persona of PERSONAS) {
      for (const stage of stagesInUse) {
        const rules = rulesFor(persona, stage);
        if (rules.length === 0) continue;
        new k8s.KubeClusterRole(this, `${persona}-${stage}`, {
          metadata: { name: clusterRoleName(persona, stage), labels: { ...labels, [LABEL.stage]: stage } },
          rules,
        });
      }
    }

    for (const team of props.teams) {
      const teamLabels = { ...labels, [LABEL.team]: team.name, [LABEL.costCenter]: team.costCenter };
      // CI gets a token-less account; the pipeline mints short-lived tokens with TokenRequest.
      new k8s.KubeServiceAccount(this, `${team.name}-ci`, {
        metadata: { name: ciDeployerName(team.name), namespace: PLATFORM_NAMESPACES.ci, labels: teamLabels },
        automountServiceAccountToken: false,
      });
      for (const stage of team.stages) {
        for (const persona of PERSONAS) {
          if (rulesFor(persona, stage).length === 0) continue;
          const subjects =
            persona === 'ci-deployer'
              ? [{ kind: 'ServiceAccount', name: ciDeployerName(team.name), namespace: PLATFORM_NAMESPACES.ci }]
              : groupsOf(team, persona).map((name) => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name }));
          if (subjects.length === 0) continue;
          new k8s.KubeRoleBinding(this, `${team.name}-${stage}-${persona}`, {
            metadata: { name: persona, namespace: workflowNamespaceName(team.name, stage), labels: { ...teamLabels, [LABEL.stage]: stage } },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRoleName(persona, stage) },
            subjects,
          });
        }
      }
    }
  }
}
