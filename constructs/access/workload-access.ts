import { Stage, STAGES } from '../../environments/schema';
import { allowedCells, Grant, Persona, PERMISSION_MATRIX, PERSONAS } from './permission-matrix';
import { QUEUED_STAGES } from '../queues/queue-plan';
import { STAGE_SERVICE_ACCOUNT } from '../tenancy/workflow-namespace';

/**
 * What a persona's *workloads* may reach, derived from the permission matrix: RBAC says who may
 * create a Pod, this says what that Pod may carry. Whoever may create a pod template could
 * otherwise hand it every Secret and ServiceAccount of the namespace, so the model is written
 * once here and the admission policies (workload-access-policy.ts) and tests are derived from it.
 */

/** Label a team puts on a Secret it shares with its data scientists' workloads on purpose. */
export const DATA_CREDENTIAL_LABEL = 'ml.platform/data-credential';
/**
 * Name prefix a shared data credential must have. Admission policies cannot read the Secret a
 * pod names, so the label is tied to the name by a policy on Secrets: a Secret with this prefix
 * exists only with the label (and the label only on such names). Pods are then checked by name.
 */
export const DATA_CREDENTIAL_PREFIX = 'data-credential-';

/** Which Secrets a persona's workloads may reference (volumes, projected sources, env, envFrom, pull secrets). */
export type SecretAccess =
  /** Any Secret of the namespace: the persona may read them all anyway. */
  | 'any'
  /** Only shared data credentials (DATA_CREDENTIAL_PREFIX + label) and the cluster's image pull secret. */
  | 'data-credentials'
  /** None: the persona creates no workloads in this stage. */
  | 'none';

/** How a persona's workloads may get GPUs. */
export type GpuPath =
  /** Through the namespace's Kueue LocalQueue: Kueue holds queue-less work (kueue-config.ts), the quota caps it. */
  | 'kueue-queue'
  /** No GPUs: the stage has no queue, GPU requests are refused. */
  | 'none';

/** A kind whose objects carry pod specs, and so can carry Secret and ServiceAccount references. */
export interface WorkloadKind {
  /** API group, '' for the core group. */
  readonly group: string;
  /** Resource plural, as RBAC and admission rules name it. */
  readonly resource: string;
  /** Kind, as objects carry it. */
  readonly kind: string;
}

/** Every kind with a pod template that the matrix lets some persona create (checked by workloadKindsOf). */
export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  { group: '', resource: 'pods', kind: 'Pod' },
  { group: 'batch', resource: 'jobs', kind: 'Job' },
  { group: 'batch', resource: 'cronjobs', kind: 'CronJob' },
  { group: 'apps', resource: 'deployments', kind: 'Deployment' },
  { group: 'apps', resource: 'statefulsets', kind: 'StatefulSet' },
  { group: 'apps', resource: 'replicasets', kind: 'ReplicaSet' },
  { group: 'apps', resource: 'daemonsets', kind: 'DaemonSet' },
  { group: 'kubeflow.org', resource: 'notebooks', kind: 'Notebook' },
  { group: 'trainer.kubeflow.org', resource: 'trainjobs', kind: 'TrainJob' },
  { group: 'argoproj.io', resource: 'workflows', kind: 'Workflow' },
  { group: 'serving.kserve.io', resource: 'inferenceservices', kind: 'InferenceService' },
];

/** Service types a persona may create; LoadBalancer and NodePort are also held at 0 by the stage quota. */
export const CLUSTER_INTERNAL_SERVICE_TYPES = ['ClusterIP'] as const;

/** What one persona's workloads may use in one stage. */
export interface WorkloadAccess {
  /** Persona of the permission matrix. */
  readonly persona: Persona;
  /** Workflow stage (the namespace's ml.platform/stage label). */
  readonly stage: Stage;
  /** Kinds with pod templates the persona may create here (from the matrix). */
  readonly workloadKinds: readonly WorkloadKind[];
  /** Secrets its workloads may reference. */
  readonly secrets: SecretAccess;
  /** ServiceAccounts its pods may run as (explicitly named: an empty name means `default`). */
  readonly serviceAccounts: readonly string[];
  /** Whether its pods may carry an API token (automount or projected token). Never, today. */
  readonly apiToken: boolean;
  /** Service types it may create (empty: no Services). externalIPs are refused for everyone. */
  readonly serviceTypes: readonly string[];
  /** How its workloads may get GPUs. */
  readonly gpu: GpuPath;
}

type Matrix = Readonly<Record<Persona, readonly Grant[]>>;

/** Allowed cells per matrix, as keys: the model asks thousands of times while a cluster synthesizes. */
const cellKeys = new WeakMap<Matrix, ReadonlySet<string>>();

function can(matrix: Matrix, persona: Persona, stage: Stage, group: string, resource: string, verb: string): boolean {
  let keys = cellKeys.get(matrix);
  if (keys === undefined) {
    keys = new Set(allowedCells(matrix).map((c) => `${c.persona}|${c.stage}|${c.group}|${c.resource}|${c.verb}`));
    cellKeys.set(matrix, keys);
  }
  return keys.has(`${persona}|${stage}|${group}|${resource}|${verb}`);
}

/**
 * Pod-carrying kinds the persona may create in the stage. A workload CR newly granted in the matrix
 * must be added to WORKLOAD_KINDS (and given pod paths in the policy): the unit tests fail until it is.
 */
export function workloadKindsOf(persona: Persona, stage: Stage, matrix: Matrix = PERMISSION_MATRIX): WorkloadKind[] {
  return WORKLOAD_KINDS.filter((k) => can(matrix, persona, stage, k.group, k.resource, 'create'));
}

/** The model for one persona in one stage. */
export function workloadAccess(persona: Persona, stage: Stage, matrix: Matrix = PERMISSION_MATRIX): WorkloadAccess {
  const workloadKinds = workloadKindsOf(persona, stage, matrix);
  const runsWorkloads = workloadKinds.length > 0;
  // A persona that may read every Secret gains nothing by mounting one; one that may not gets the shared ones only.
  const secrets: SecretAccess = !runsWorkloads ? 'none' : can(matrix, persona, stage, '', 'secrets', 'get') ? 'any' : 'data-credentials';
  return {
    persona,
    stage,
    workloadKinds,
    secrets,
    // The stage's own account: no RBAC bindings, no token. Kubeflow's default-editor (kubeflow-edit) and
    // the namespace's default (token automounted) would give a pod more than its author has.
    serviceAccounts: runsWorkloads ? [STAGE_SERVICE_ACCOUNT] : [],
    apiToken: false,
    serviceTypes: can(matrix, persona, stage, '', 'services', 'create') ? [...CLUSTER_INTERNAL_SERVICE_TYPES] : [],
    gpu: runsWorkloads && QUEUED_STAGES.includes(stage) ? 'kueue-queue' : 'none',
  };
}

/** persona x stage, in matrix order. */
export function accessModel(matrix: Matrix = PERMISSION_MATRIX, stages: readonly Stage[] = STAGES): WorkloadAccess[] {
  return PERSONAS.flatMap((persona) => stages.map((stage) => workloadAccess(persona, stage, matrix)));
}

/** The strongest persona first: messages name it, and the union of a user's personas is what RBAC grants too. */
export const PERSONA_PRECEDENCE: readonly Persona[] = ['ml-engineer', 'ci-deployer', 'data-scientist', 'viewer'];
