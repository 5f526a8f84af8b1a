import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { LABEL, PART_OF } from '../labels';
import { ciDeployerName } from './least-privilege-rbac';
import { PLATFORM_NAMESPACES } from '../tenancy/platform-namespaces';
import { accessModel, WORKLOAD_KINDS, WorkloadAccess, WorkloadKind } from './workload-access';
import { AccessContext, AccessTeam, dataCredentialPolicy, personaMatchCondition, servicePolicy, Validation, workloadPolicy } from './workload-access-cel';

export interface WorkloadAccessPolicyProps {
  /** Teams whose namespaces the policies guard, with their personas' groups. */
  readonly teams: readonly AccessTeam[];
  /** The cluster's image pull secret, the one pull secret every workload may name. @default none */
  readonly clusterPullSecret?: string;
  /** The access model, persona x stage. @default accessModel() from the permission matrix */
  readonly model?: readonly WorkloadAccess[];
}

const OPERATIONS = ['CREATE', 'UPDATE'];

/** Which admission requests a persona makes: those of the personas' groups and of the teams' CI accounts. */
export function accessContext(props: WorkloadAccessPolicyProps): AccessContext {
  const ciUserPrefix = `system:serviceaccount:${PLATFORM_NAMESPACES.ci}:`;
  return { teams: props.teams, model: props.model ?? accessModel(), ciUser: (team) => `${ciUserPrefix}${ciDeployerName(team)}`, ciUserPrefix, clusterPullSecret: props.clusterPullSecret };
}

/** Workload kinds some persona may create, once each, in WORKLOAD_KINDS order (stable output). */
export function guardedKinds(model: readonly WorkloadAccess[]): WorkloadKind[] {
  const used = new Set(model.flatMap((a) => a.workloadKinds.map((k) => `${k.group}/${k.resource}`)));
  return WORKLOAD_KINDS.filter((k) => used.has(`${k.group}/${k.resource}`));
}

/**
 * What a persona's workloads may reach, enforced by the API server (ValidatingAdmissionPolicy, no
 * extra controller): for every kind with a pod template a persona may create, the Secrets it names,
 * its pull secrets, service account and token, and its GPU paths are held to the access model
 * (workload-access.ts); Services carry no externalIPs; shared data credentials are named and labelled
 * together. Messages name the persona, the field and what is allowed.
 *
 * Controllers keep working because the workload policies match only requests whose user is in a
 * persona group of the spec or is a team's CI account (matchConditions): Kueue, JobSet/Trainer,
 * the Notebook controller, Argo, KServe and the Job/ReplicaSet controllers act as their own service
 * accounts, which are in none of those groups. What they create comes from a template that was
 * checked when the persona wrote it.
 */
export class WorkloadAccessPolicy extends Construct {
  constructor(scope: Construct, id: string, props: WorkloadAccessPolicyProps) {
    super(scope, id);
    if (props.teams.length === 0) throw new Error('WorkloadAccessPolicy: no teams; the policies would match nobody');
    const ctx = accessContext(props);
    const labels = { [LABEL.partOf]: PART_OF };
    const teamNamespaces = { namespaceSelector: { matchExpressions: [{ key: LABEL.team, operator: 'Exists' }] } };

    const render = (key: string, name: string, resourceRules: unknown[], spec: { matchConditions?: unknown[]; variables?: unknown[]; validations: readonly Validation[] }): void => {
      new ApiObject(this, key, {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name, labels },
        spec: { failurePolicy: 'Fail', matchConstraints: { resourceRules }, ...spec, validations: [...spec.validations] },
      });
      new ApiObject(this, `${key}-binding`, {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name, labels },
        spec: { policyName: name, validationActions: ['Deny'], matchResources: teamNamespaces },
      });
    };

    for (const kind of guardedKinds(ctx.model)) {
      const p = workloadPolicy(kind, ctx);
      render(kind.resource, p.name, [{ apiGroups: [kind.group], apiVersions: ['*'], operations: OPERATIONS, resources: [kind.resource] }], {
        matchConditions: [{ name: 'persona-request', expression: p.matchCondition }],
        variables: [...p.variables],
        validations: p.validations,
      });
    }

    // Every writer, controllers and admins included: no one needs externalIPs in a team namespace.
    const services = servicePolicy(ctx);
    render('services', services.name, [{ apiGroups: [''], apiVersions: ['v1'], operations: OPERATIONS, resources: ['services'] }], { variables: [...services.variables], validations: services.validations });

    const credentials = dataCredentialPolicy();
    render('data-credentials', credentials.name, [{ apiGroups: [''], apiVersions: ['v1'], operations: OPERATIONS, resources: ['secrets'] }], { validations: credentials.validations });
  }
}

/** The match condition, exported for the tests that say who is matched. */
export const workloadMatchCondition = (props: WorkloadAccessPolicyProps): string => personaMatchCondition(accessContext(props));
