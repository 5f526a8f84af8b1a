import { Stage, STAGES } from '../../environments/schema';

/**
 * Who may do what, where: persona x resource x verb x stage, written down once. The Roles are
 * generated from this table and the tests (offline and against a real API server) check against it.
 * platform-admin is not in the table: it is the one ClusterRole with `*`, bound cluster-wide.
 */

export const PERSONAS = ['ml-engineer', 'data-scientist', 'viewer', 'ci-deployer'] as const;
export type Persona = (typeof PERSONAS)[number];

export interface ResourceRef {
  /** API group, '' for the core group. */
  readonly group: string;
  /** Resource plural, with a subresource after '/' where needed (pods/exec). */
  readonly resource: string;
}

export interface Grant {
  readonly resources: readonly ResourceRef[];
  readonly verbs: readonly string[];
  readonly stages: readonly Stage[];
}

const READ = ['get', 'list', 'watch'] as const;
const WRITE = ['create', 'update', 'patch', 'delete'] as const;
const READ_WRITE = [...READ, ...WRITE];
const ALL_STAGES = STAGES;
const EXPERIMENT_STAGES: readonly Stage[] = ['data-prep', 'training'];

const core = (...resources: string[]): ResourceRef[] => resources.map((resource) => ({ group: '', resource }));
const group = (g: string, ...resources: string[]): ResourceRef[] => resources.map((resource) => ({ group: g, resource }));

/** What everyone with access to a team may see: their workloads, their queues, their budget. */
const VISIBILITY: Grant[] = [
  { resources: [...core('pods', 'pods/log', 'services', 'configmaps', 'persistentvolumeclaims', 'events', 'resourcequotas', 'limitranges', 'serviceaccounts')], verbs: READ, stages: ALL_STAGES },
  { resources: [...group('apps', 'deployments', 'statefulsets', 'replicasets'), ...group('batch', 'jobs', 'cronjobs')], verbs: READ, stages: ALL_STAGES },
  { resources: group('kueue.x-k8s.io', 'localqueues', 'workloads'), verbs: READ, stages: ALL_STAGES },
  { resources: [...group('kubeflow.org', 'notebooks'), ...group('trainer.kubeflow.org', 'trainjobs'), ...group('serving.kserve.io', 'inferenceservices'), ...group('argoproj.io', 'workflows')], verbs: READ, stages: ALL_STAGES },
];

const EXPERIMENT_WORKLOADS: ResourceRef[] = [
  ...core('pods', 'services', 'configmaps', 'persistentvolumeclaims'),
  ...group('batch', 'jobs', 'cronjobs'),
  ...group('kubeflow.org', 'notebooks'),
  ...group('trainer.kubeflow.org', 'trainjobs'),
  ...group('argoproj.io', 'workflows'),
];

export const PERMISSION_MATRIX: Readonly<Record<Persona, readonly Grant[]>> = {
  viewer: VISIBILITY,
  'data-scientist': [
    ...VISIBILITY,
    // Experiments: notebooks, jobs and pipelines in data preparation and training only.
    { resources: EXPERIMENT_WORKLOADS, verbs: WRITE, stages: EXPERIMENT_STAGES },
    // Debugging their own experiments; never serving pods.
    { resources: core('pods/exec', 'pods/portforward'), verbs: ['create', 'get'], stages: EXPERIMENT_STAGES },
  ],
  'ml-engineer': [
    ...VISIBILITY,
    { resources: EXPERIMENT_WORKLOADS, verbs: WRITE, stages: ALL_STAGES },
    { resources: [...group('apps', 'deployments', 'statefulsets'), ...group('serving.kserve.io', 'inferenceservices')], verbs: WRITE, stages: ['serving', 'monitoring'] },
    { resources: core('pods/exec', 'pods/portforward'), verbs: ['create', 'get'], stages: ALL_STAGES },
    // Credentials for data sources and model stores; data scientists never read them.
    { resources: core('secrets'), verbs: READ_WRITE, stages: ALL_STAGES },
    { resources: group('networking.k8s.io', 'networkpolicies'), verbs: READ, stages: ALL_STAGES },
  ],
  'ci-deployer': [
    { resources: [...group('apps', 'deployments'), ...group('serving.kserve.io', 'inferenceservices'), ...core('services', 'configmaps')], verbs: READ_WRITE, stages: ['serving', 'monitoring'] },
    { resources: group('trainer.kubeflow.org', 'trainjobs'), verbs: READ_WRITE, stages: ['training'] },
  ],
};

/** One allowed (persona, stage, group, resource, verb) cell. */
export interface PermissionCell {
  readonly persona: Persona;
  readonly stage: Stage;
  readonly group: string;
  readonly resource: string;
  readonly verb: string;
}

/** The matrix flattened into unique cells, sorted: the ground truth tests compare against. */
export function allowedCells(matrix: Readonly<Record<Persona, readonly Grant[]>> = PERMISSION_MATRIX): PermissionCell[] {
  const seen = new Map<string, PermissionCell>();
  for (const persona of PERSONAS) {
    for (const grant of matrix[persona]) {
      for (const stage of grant.stages) {
        for (const { group: g, resource } of grant.resources) {
          for (const verb of grant.verbs) {
            seen.set(`${persona}|${stage}|${g}|${resource}|${verb}`, { persona, stage, group: g, resource, verb });
          }
        }
      }
    }
  }
  return [...seen.keys()].sort().map((k) => seen.get(k) as PermissionCell);
}

/** Every resource the matrix mentions: the universe the "denied" cells are drawn from. */
export function matrixResources(matrix: Readonly<Record<Persona, readonly Grant[]>> = PERMISSION_MATRIX): ResourceRef[] {
  const keys = new Set<string>();
  for (const grants of Object.values(matrix)) for (const g of grants) for (const r of g.resources) keys.add(`${r.group}|${r.resource}`);
  return [...keys].sort().map((k) => {
    const [g, resource] = k.split('|');
    return { group: g, resource };
  });
}

export interface PolicyRuleSpec {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** Rules of the shipped matrix, computed once per (persona, stage): every team binds the same roles. */
const defaultRules = new Map<string, PolicyRuleSpec[]>();

/** RBAC rules for one persona in one stage: one rule per (group, verb set), resources sorted. */
export function rulesFor(persona: Persona, stage: Stage, matrix: Readonly<Record<Persona, readonly Grant[]>> = PERMISSION_MATRIX): PolicyRuleSpec[] {
  if (matrix !== PERMISSION_MATRIX) return computeRules(persona, stage, matrix);
  const key = `${persona}|${stage}`;
  if (!defaultRules.has(key)) defaultRules.set(key, computeRules(persona, stage, matrix));
  return (defaultRules.get(key) as PolicyRuleSpec[]).map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] }));
}

function computeRules(persona: Persona, stage: Stage, matrix: Readonly<Record<Persona, readonly Grant[]>>): PolicyRuleSpec[] {
  const byGroupAndResource = new Map<string, Set<string>>();
  for (const cell of allowedCells(matrix)) {
    if (cell.persona !== persona || cell.stage !== stage) continue;
    const key = `${cell.group}|${cell.resource}`;
    byGroupAndResource.set(key, (byGroupAndResource.get(key) ?? new Set()).add(cell.verb));
  }
  const rules = new Map<string, PolicyRuleSpec>();
  for (const [key, verbs] of byGroupAndResource) {
    const [g, resource] = key.split('|');
    const verbList = [...verbs].sort();
    const ruleKey = `${g}|${verbList.join(',')}`;
    const rule = rules.get(ruleKey) ?? { apiGroups: [g], resources: [], verbs: verbList };
    rule.resources.push(resource);
    rules.set(ruleKey, rule);
  }
  return [...rules.keys()].sort().map((k) => {
    const r = rules.get(k) as PolicyRuleSpec;
    return { ...r, resources: [...r.resources].sort() };
  });
}
