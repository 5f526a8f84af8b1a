/**
 * CEL for the workload-access admission policies, generated from the access model
 * (workload-access.ts). Pure: the construct renders it, the unit tests evaluate it with
 * @bufbuild/cel, the cluster suite meets it on a real API server.
 *
 * Objects are walked along fixed paths ("spec.template.spec.volumes[]": `[]` iterates a list).
 * Each finding is a variable: the `filter().map()` chain from the `has()`-guarded list its path
 * starts at (a variable of its own, shared) to the descriptions of the offending elements. Checks
 * test the variables' sizes and messages take their first element, so no list needs flattening
 * (Kubernetes 1.28 has no flatten()) and every literal is homogeneous (Kubernetes compiles VAP CEL
 * with homogeneous aggregate literals).
 */
import { GPU_TAINT } from '../gpu/gpu-scheduling';
import { LABEL } from '../labels';
import { Persona, PERSONAS } from './permission-matrix';
import { celString } from '../cel-literal';
import { anyFinding, Finding, FindingVariables, firstFinding, PolicyVariable } from './cel-findings';
import { DATA_CREDENTIAL_LABEL, DATA_CREDENTIAL_PREFIX, PERSONA_PRECEDENCE, WorkloadAccess, WorkloadKind } from './workload-access';

const celList = (items: readonly string[]): string => `[${items.map(celString).join(', ')}]`;
const celMap = (entries: readonly (readonly [string, string])[]): string => `{${entries.map(([k, v]) => `${celString(k)}: ${v}`).join(', ')}}`;

// --- where pod specs sit in each kind ------------------------------------------------

/** Pod-spec-like objects (volumes, imagePullSecrets, serviceAccountName, automount...) and containers of one kind. */
export interface PodPaths {
  /** Paths to pod specs (or objects shaped like one). */
  readonly pods: readonly string[];
  /** Pod specs whose serviceAccountName decides what the pods run as: it must be set. */
  readonly requiredServiceAccount: readonly string[];
  /** Other fields naming a service account (optional; allowed names only). */
  readonly otherServiceAccounts: readonly string[];
  /** Paths to containers outside the pod specs' containers lists (frameworks, trainer, templates). */
  readonly extraContainers: readonly string[];
  /** Paths to objects with a `name` of a Secret outside pod specs (TrainJob initializer secretRef). */
  readonly secretRefs: readonly string[];
  /** Free-form pod patches the policy cannot see into: refused. */
  readonly opaquePatches: readonly string[];
}

const KSERVE_FRAMEWORKS = ['model', 'sklearn', 'xgboost', 'tensorflow', 'pytorch', 'triton', 'onnx', 'huggingface', 'pmml', 'lightgbm', 'paddle'];
const ISVC_COMPONENTS = ['spec.predictor', 'spec.transformer', 'spec.explainer'];
const TRAINJOB_POD = 'spec.runtimePatches[].trainingRuntimeSpec.template.spec.replicatedJobs[].template.spec.template.spec';

const podTemplate = (at: string): PodPaths => ({ pods: [at], requiredServiceAccount: [at], otherServiceAccounts: [], extraContainers: [], secretRefs: [], opaquePatches: [] });

/** Where each workload kind keeps its pod specs (the CRD schemas in test/fixtures/crds and Argo's v3.7 types). */
export function podPathsOf(kind: string): PodPaths {
  switch (kind) {
    case 'Pod':
      return podTemplate('spec');
    case 'Job':
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet':
    case 'DaemonSet':
    case 'Notebook':
      return podTemplate('spec.template.spec');
    case 'CronJob':
      return podTemplate('spec.jobTemplate.spec.template.spec');
    case 'InferenceService':
      return {
        pods: [...ISVC_COMPONENTS, 'spec.predictor.workerSpec'],
        // KServe runs each component as its serviceAccountName; absent means the namespace's default.
        requiredServiceAccount: ISVC_COMPONENTS,
        otherServiceAccounts: ['spec.predictor.workerSpec.serviceAccountName'],
        extraContainers: KSERVE_FRAMEWORKS.map((f) => `spec.predictor.${f}`),
        secretRefs: [],
        opaquePatches: [],
      };
    case 'TrainJob':
      return {
        // The runtime's templates (platform-owned ClusterTrainingRuntimes) decide the account unless a patch does.
        pods: [TRAINJOB_POD],
        requiredServiceAccount: [],
        otherServiceAccounts: [],
        extraContainers: ['spec.trainer', 'spec.initializer.dataset', 'spec.initializer.model'],
        secretRefs: ['spec.initializer.dataset.secretRef', 'spec.initializer.model.secretRef'],
        opaquePatches: [],
      };
    case 'Workflow':
      return {
        pods: ['spec', 'spec.templateDefaults', 'spec.templates[]'],
        requiredServiceAccount: ['spec'],
        otherServiceAccounts: ['spec.executor.serviceAccountName', 'spec.templates[].executor.serviceAccountName', 'spec.templateDefaults.executor.serviceAccountName'],
        extraContainers: ['spec.templates[]', 'spec.templateDefaults'].flatMap((t) => [`${t}.container`, `${t}.script`, `${t}.sidecars[]`, `${t}.containerSet.containers[]`]),
        secretRefs: [],
        opaquePatches: ['spec.podSpecPatch', 'spec.templates[].podSpecPatch', 'spec.templateDefaults.podSpecPatch'],
      };
    default:
      throw new Error(`workload-access: no pod paths for kind ${kind}; add them before the matrix grants it`);
  }
}

/** Every container path of a kind: each pod spec's containers, init and ephemeral containers, plus the extras. */
export function containerPaths(p: PodPaths): string[] {
  return [...p.pods.flatMap((pod) => ['containers[]', 'initContainers[]', 'ephemeralContainers[]'].map((c) => `${pod}.${c}`)), ...p.extraContainers];
}

// --- findings per class --------------------------------------------------------------

const opt = (x: string, field: string): string => `(has(${x}.${field}) ? ${x}.${field} : '')`;
const SECRET_OK = (name: string): string => `(variables.secretsAny || (variables.secretsShared && ${name}.startsWith(${celString(DATA_CREDENTIAL_PREFIX)})))`;
const PULL_OK = (name: string): string => `(variables.secretsAny || (variables.secretsShared && ${name} in variables.clusterPullSecrets))`;
const SA_OK = (name: string): string => `(${name} in variables.serviceAccounts)`;
const GPU_RESOURCE = (r: string): string => `(has(${r}) && ((has(${r}.requests) && ${r}.requests.exists(k, k.startsWith('nvidia.com/'))) || (has(${r}.limits) && ${r}.limits.exists(k, k.startsWith('nvidia.com/')))))`;

export function secretFindings(p: PodPaths): Finding[] {
  const pods = p.pods.flatMap((pod): Finding[] => [
    { path: `${pod}.volumes[]`, pred: (v) => `has(${v}.secret) && !${SECRET_OK(opt(`${v}.secret`, 'secretName'))}`, field: `${pod}.volumes[].secret`, value: (v) => opt(`${v}.secret`, 'secretName') },
    {
      path: `${pod}.volumes[].projected.sources[]`,
      pred: (s) => `has(${s}.secret) && !${SECRET_OK(opt(`${s}.secret`, 'name'))}`,
      field: `${pod}.volumes[].projected.sources[].secret`,
      value: (s) => opt(`${s}.secret`, 'name'),
    },
    {
      path: `${pod}.volumes[]`,
      pred: (v) => `has(${v}.csi) && has(${v}.csi.nodePublishSecretRef) && !${SECRET_OK(opt(`${v}.csi.nodePublishSecretRef`, 'name'))}`,
      field: `${pod}.volumes[].csi.nodePublishSecretRef`,
      value: (v) => opt(`${v}.csi.nodePublishSecretRef`, 'name'),
    },
  ]);
  const containers = containerPaths(p).flatMap((c): Finding[] => [
    {
      path: `${c}.env[]`,
      pred: (e) => `has(${e}.valueFrom) && has(${e}.valueFrom.secretKeyRef) && !${SECRET_OK(opt(`${e}.valueFrom.secretKeyRef`, 'name'))}`,
      field: `${c}.env[].valueFrom.secretKeyRef`,
      value: (e) => opt(`${e}.valueFrom.secretKeyRef`, 'name'),
    },
    { path: `${c}.envFrom[]`, pred: (e) => `has(${e}.secretRef) && !${SECRET_OK(opt(`${e}.secretRef`, 'name'))}`, field: `${c}.envFrom[].secretRef`, value: (e) => opt(`${e}.secretRef`, 'name') },
  ]);
  const refs = p.secretRefs.map((r): Finding => ({ path: r, pred: (x) => `!${SECRET_OK(opt(x, 'name'))}`, field: r, value: (x) => opt(x, 'name') }));
  return [...pods, ...containers, ...refs];
}

export function pullSecretFindings(p: PodPaths): Finding[] {
  return p.pods.map((pod): Finding => ({ path: `${pod}.imagePullSecrets[]`, pred: (s) => `!${PULL_OK(opt(s, 'name'))}`, field: `${pod}.imagePullSecrets[]`, value: (s) => opt(s, 'name') }));
}

export function serviceAccountFindings(p: PodPaths): Finding[] {
  const required = p.requiredServiceAccount.map((pod): Finding => ({
    path: pod,
    pred: (x) => `!has(${x}.serviceAccountName) || !${SA_OK(`${x}.serviceAccountName`)}`,
    field: `${pod}.serviceAccountName`,
    value: (x) => `(has(${x}.serviceAccountName) ? ${x}.serviceAccountName : '(unset: the namespace default, with a token)')`,
  }));
  const optional = [
    ...p.pods.filter((pod) => !p.requiredServiceAccount.includes(pod)).map((pod) => `${pod}.serviceAccountName`),
    // The deprecated alias the API server still honours when serviceAccountName is empty.
    ...p.pods.map((pod) => `${pod}.serviceAccount`),
    ...p.otherServiceAccounts,
  ].map((at): Finding => {
    const parts = at.split('.');
    const field = parts.pop() as string;
    const parent = parts.join('.');
    return { path: parent, pred: (x) => `has(${x}.${field}) && !${SA_OK(`${x}.${field}`)}`, field: at, value: (x) => `${x}.${field}` };
  });
  return [...required, ...optional];
}

export function tokenFindings(p: PodPaths): Finding[] {
  return p.pods.flatMap((pod): Finding[] => [
    { path: pod, pred: (x) => `has(${x}.automountServiceAccountToken) && ${x}.automountServiceAccountToken == true`, field: `${pod}.automountServiceAccountToken`, value: () => "'true'" },
    {
      path: `${pod}.volumes[].projected.sources[]`,
      pred: (s) => `has(${s}.serviceAccountToken) || has(${s}.podCertificate)`,
      field: `${pod}.volumes[].projected.sources[]`,
      value: (s) => `(has(${s}.serviceAccountToken) ? 'serviceAccountToken' : 'podCertificate')`,
    },
  ]);
}

/** GPU requests: `nvidia.com/*` resources, or DRA claims (the only DRA driver the platform installs is the GPU one). */
export function gpuRequestFindings(p: PodPaths): Finding[] {
  return [
    ...containerPaths(p).map((c): Finding => ({
      path: c,
      pred: (x) => `${GPU_RESOURCE(`${x}.resources`)} || ${GPU_RESOURCE(`${x}.resourcesPerNode`)}`,
      field: `${c}.resources`,
      value: () => "'nvidia.com/*'",
    })),
    ...p.pods.map((pod): Finding => ({ path: pod, pred: (x) => `has(${x}.resourceClaims) && size(${x}.resourceClaims) > 0`, field: `${pod}.resourceClaims`, value: () => "'resourceClaims'" })),
  ];
}

/** Ways onto a GPU node or at its devices that bypass the GPU request (and so Kueue and the quota). */
export function gpuSideDoorFindings(p: PodPaths): Finding[] {
  const tolerates = (t: string): string => `((has(${t}.key) && ${t}.key == ${celString(GPU_TAINT.key)}) || (!has(${t}.key) && has(${t}.operator) && ${t}.operator == 'Exists'))`;
  return [
    ...p.pods.map((pod): Finding => ({ path: `${pod}.tolerations[]`, pred: (t) => `!variables.requestsGpu && ${tolerates(t)}`, field: `${pod}.tolerations[] (GPU taint without a GPU request)`, value: (t) => opt(t, 'key') })),
    ...p.pods.map((pod): Finding => ({ path: pod, pred: (x) => `has(${x}.nodeName) && ${x}.nodeName != ''`, field: `${pod}.nodeName (bypasses the scheduler and the queue)`, value: (x) => `${x}.nodeName` })),
    ...containerPaths(p).map((c): Finding => ({ path: `${c}.env[]`, pred: (e) => `${e}.name == 'NVIDIA_VISIBLE_DEVICES'`, field: `${c}.env[]`, value: (e) => `${e}.name` })),
  ];
}

export function opaquePatchFindings(p: PodPaths): Finding[] {
  return p.opaquePatches.map((at): Finding => {
    const parts = at.split('.');
    const field = parts.pop() as string;
    return { path: parts.join('.'), pred: (x) => `has(${x}.${field})`, field: at, value: () => "'(set)'" };
  });
}

// --- who is asking ---------------------------------------------------------------------

/** Identity-provider groups per persona of one team; the CI persona is the team's deployer account. */
export interface AccessTeam {
  /** Team name (the namespace label ml.platform/team). */
  readonly name: string;
  /** Groups of the human personas. */
  readonly groups: { readonly mlEngineers: readonly string[]; readonly dataScientists: readonly string[]; readonly viewers: readonly string[] };
}

export interface AccessContext {
  /** Teams and their personas' groups. */
  readonly teams: readonly AccessTeam[];
  /** The model, persona x stage. */
  readonly model: readonly WorkloadAccess[];
  /** Username of a team's CI deployer service account. */
  readonly ciUser: (team: string) => string;
  /** Username prefix of every CI deployer account (matchConditions). */
  readonly ciUserPrefix: string;
  /** The cluster's image pull secret, the one pull secret every workload may name. @default none */
  readonly clusterPullSecret?: string;
}

const groupsOf = (t: AccessTeam, persona: Persona): readonly string[] =>
  persona === 'ml-engineer' ? t.groups.mlEngineers : persona === 'data-scientist' ? t.groups.dataScientists : persona === 'viewer' ? t.groups.viewers : [];

/** Groups of every human persona of every team: the requests the policies match. */
export const personaGroups = (teams: readonly AccessTeam[]): string[] => [...new Set(teams.flatMap((t) => PERSONAS.flatMap((p) => groupsOf(t, p))))].sort();

/** CEL matchCondition: a persona is asking (controllers' service accounts are in none of these groups). */
export function personaMatchCondition(ctx: AccessContext): string {
  return `request.userInfo.groups.exists(g, g in ${celList(personaGroups(ctx.teams))}) || request.userInfo.username.startsWith(${celString(ctx.ciUserPrefix)})`;
}

/** Variables every workload policy shares: who is asking, as which personas, and what the model allows them here. */
export function identityVariables(ctx: AccessContext): { name: string; expression: string }[] {
  const teamGroups = celMap(ctx.teams.map((t) => [t.name, celMap(PERSONAS.flatMap((p) => groupsOf(t, p).map((g): [string, string] => [g, celString(p)])))] as const));
  const ciUsers = celMap(ctx.teams.map((t) => [t.name, celString(ctx.ciUser(t.name))] as const));
  const key = (a: WorkloadAccess): string => `${a.stage}/${a.persona}`;
  const secretsOf = celMap(ctx.model.map((a) => [key(a), celString(a.secrets)] as const));
  const gpuOf = celMap(ctx.model.map((a) => [key(a), celString(a.gpu)] as const));
  const saKeys = ctx.model.flatMap((a) => a.serviceAccounts.map((sa) => `${key(a)}/${sa}`));
  const saUniverse = [...new Set(ctx.model.flatMap((a) => a.serviceAccounts))].sort();
  const typeKeys = ctx.model.flatMap((a) => a.serviceTypes.map((t) => `${key(a)}/${t}`));
  const typeUniverse = [...new Set(ctx.model.flatMap((a) => a.serviceTypes))].sort();
  const labels = 'namespaceObject.metadata.labels';
  return [
    { name: 'team', expression: `has(${labels}) && ${celString(LABEL.team)} in ${labels} ? ${labels}[${celString(LABEL.team)}] : ''` },
    { name: 'stage', expression: `has(${labels}) && ${celString(LABEL.stage)} in ${labels} ? ${labels}[${celString(LABEL.stage)}] : ''` },
    {
      name: 'personas',
      expression:
        `(variables.team in ${teamGroups} ? request.userInfo.groups.filter(g, g in ${teamGroups}[variables.team]).map(g, ${teamGroups}[variables.team][g]) : [])` +
        ` + (variables.team in ${ciUsers} && request.userInfo.username == ${ciUsers}[variables.team] ? ['ci-deployer'] : [])`,
    },
    { name: 'keys', expression: 'variables.personas.map(p, variables.stage + \'/\' + p)' },
    { name: 'who', expression: `${celList(PERSONA_PRECEDENCE)}.exists(p, p in variables.personas) ? ${celList(PERSONA_PRECEDENCE)}.filter(p, p in variables.personas)[0] : 'a user outside team ' + variables.team` },
    { name: 'secretsAny', expression: `variables.keys.exists(k, k in ${secretsOf} && ${secretsOf}[k] == 'any')` },
    { name: 'secretsShared', expression: `variables.keys.exists(k, k in ${secretsOf} && ${secretsOf}[k] != 'none')` },
    { name: 'clusterPullSecrets', expression: celList(ctx.clusterPullSecret === undefined ? [] : [ctx.clusterPullSecret]) },
    { name: 'serviceAccounts', expression: `${celList(saUniverse)}.filter(sa, variables.keys.exists(k, k + '/' + sa in ${celList(saKeys)}))` },
    { name: 'serviceTypes', expression: `${celList(typeUniverse)}.filter(t, variables.keys.exists(k, k + '/' + t in ${celList(typeKeys)}))` },
    { name: 'gpuQueue', expression: `variables.keys.exists(k, k in ${gpuOf} && ${gpuOf}[k] == 'kueue-queue')` },
  ];
}

// --- the policies ----------------------------------------------------------------------

export interface Validation {
  /** CEL: true admits. */
  readonly expression: string;
  /** CEL string: persona, field and what is allowed. */
  readonly messageExpression: string;
  /** HTTP reason of the refusal. */
  readonly reason: 'Forbidden';
}

export interface PolicySpec {
  /** ValidatingAdmissionPolicy (and binding) name. */
  readonly name: string;
  /** Kinds it matches. */
  readonly kinds: readonly WorkloadKind[];
  /** CEL matchCondition: which requests it applies to. */
  readonly matchCondition: string;
  /** Variables, in evaluation order. */
  readonly variables: readonly PolicyVariable[];
  /** One validation per class. */
  readonly validations: readonly Validation[];
}

const prefix = "variables.who + ' in ' + variables.stage + ': '";

function validation(findings: readonly Finding[], names: readonly string[], allowed: string, when = 'true'): Validation {
  return {
    expression: `!(${when}) || !(${anyFinding(names)})`,
    messageExpression: `${prefix} + ${firstFinding(findings, names)} + ' is not allowed; ' + ${allowed}`,
    reason: 'Forbidden',
  };
}

const SECRETS_ALLOWED = `(variables.secretsAny ? 'any Secret of the namespace' : variables.secretsShared ? ${celString(`only shared data credentials: Secrets named ${DATA_CREDENTIAL_PREFIX}* (they carry ${DATA_CREDENTIAL_LABEL}=true)`)} : 'no Secret: this persona runs no workloads here')`;
const PULL_ALLOWED = `(variables.secretsAny ? 'any Secret of the namespace' : size(variables.clusterPullSecrets) > 0 ? 'only the cluster pull secret ' + variables.clusterPullSecrets[0] + ' (the workload service account adds it)' : 'none: the workload service account pulls from the cluster registry')`;
const SA_ALLOWED = `(size(variables.serviceAccounts) > 0 ? 'serviceAccountName must be ' + variables.serviceAccounts[0] + ' (token-less, no RBAC bindings)' : 'no service account: this persona runs no workloads here')`;
const TOKEN_ALLOWED = "'workload pods carry no API token (automountServiceAccountToken stays false, no projected tokens or pod certificates)'";
const GPU_ALLOWED = "'GPUs only in stages with a Kueue queue (label kueue.x-k8s.io/queue-name), this one has none'";
const SIDE_DOOR_ALLOWED = "'GPU nodes and devices are reached by requesting nvidia.com/* resources or DRA claims through the queue, nothing else'";
const PATCH_ALLOWED = "'the policy cannot check a free-form pod patch: set the fields in the template instead'";

/** The workload policy of one kind: all classes, each with its own message. */
export function workloadPolicy(kind: WorkloadKind, ctx: AccessContext): PolicySpec {
  const paths = podPathsOf(kind.kind);
  const found = new FindingVariables();
  const classes: [string, Finding[], string, string?][] = [
    ['secret', secretFindings(paths), SECRETS_ALLOWED],
    ['pull_secret', pullSecretFindings(paths), PULL_ALLOWED],
    ['service_account', serviceAccountFindings(paths), SA_ALLOWED],
    ['token', tokenFindings(paths), TOKEN_ALLOWED],
    ['gpu', gpuRequestFindings(paths), GPU_ALLOWED, '!variables.gpuQueue'],
    ['gpu_side_door', gpuSideDoorFindings(paths), SIDE_DOOR_ALLOWED],
    ['pod_patch', opaquePatchFindings(paths), PATCH_ALLOWED],
  ];
  // requestsGpu is read by the side-door findings, so it follows the GPU request findings' variables.
  const named = classes.map(([group, findings]) => found.add(group, findings));
  const gpuNames = named[classes.findIndex(([group]) => group === 'gpu')];
  const findingVariables = found.variables();
  const sideDoors = findingVariables.findIndex((v) => v.name.startsWith('gpu_side_door_'));
  const sideDoorsFrom = sideDoors < 0 ? findingVariables.length : sideDoors;
  const requestsGpu = { name: 'requestsGpu', expression: anyFinding(gpuNames) };
  return {
    name: `ml-platform-workload-access-${kind.resource}`,
    kinds: [kind],
    matchCondition: personaMatchCondition(ctx),
    variables: [...identityVariables(ctx), ...findingVariables.slice(0, sideDoorsFrom), requestsGpu, ...findingVariables.slice(sideDoorsFrom)],
    validations: classes.flatMap(([, findings, allowed, when], i) => (findings.length === 0 ? [] : [validation(findings, named[i], allowed, when)])),
  };
}

/** Services: externalIPs for nobody (CVE-2020-8554), and no ExternalName for personas; LoadBalancer/NodePort are at 0 by quota. */
export function servicePolicy(ctx: AccessContext): Omit<PolicySpec, 'kinds' | 'matchCondition'> {
  return {
    name: 'ml-platform-service-exposure',
    variables: identityVariables(ctx),
    validations: [
      {
        expression: '!has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0',
        messageExpression:
          "request.userInfo.username + ': spec.externalIPs ' + object.spec.externalIPs[0] + ' is not allowed in team namespaces (CVE-2020-8554: externalIPs intercept traffic to that address cluster-wide); allowed: ClusterIP Services, exposed through the platform gateway'",
        reason: 'Forbidden',
      },
      {
        // LoadBalancer and NodePort are left to the stage quota (services.loadbalancers/nodeports: 0), as before.
        expression: "size(variables.personas) == 0 || !has(object.spec.type) || object.spec.type in variables.serviceTypes || object.spec.type in ['LoadBalancer', 'NodePort']",
        messageExpression: `${prefix} + 'spec.type ' + object.spec.type + ' is not allowed; allowed: ' + (size(variables.serviceTypes) > 0 ? variables.serviceTypes[0] : 'no Service')`,
        reason: 'Forbidden',
      },
    ],
  };
}

/** Secrets: the data-credential label and name prefix go together, for every writer. */
export function dataCredentialPolicy(): { name: string; validations: Validation[] } {
  const labelled = `(has(object.metadata.labels) && ${celString(DATA_CREDENTIAL_LABEL)} in object.metadata.labels && object.metadata.labels[${celString(DATA_CREDENTIAL_LABEL)}] == 'true')`;
  const prefixed = `object.metadata.name.startsWith(${celString(DATA_CREDENTIAL_PREFIX)})`;
  return {
    name: 'ml-platform-data-credentials',
    validations: [
      {
        expression: `!${prefixed} || ${labelled}`,
        messageExpression: `'Secret ' + object.metadata.name + ': a Secret named ${DATA_CREDENTIAL_PREFIX}* is a shared data credential and must carry ${DATA_CREDENTIAL_LABEL}: "true" (data scientists\\' workloads may mount it)'`,
        reason: 'Forbidden',
      },
      {
        expression: `!${labelled} || ${prefixed}`,
        messageExpression: `'Secret ' + object.metadata.name + ': ${DATA_CREDENTIAL_LABEL}=true is only honoured on Secrets named ${DATA_CREDENTIAL_PREFIX}* (admission checks pods by name); rename it'`,
        reason: 'Forbidden',
      },
    ],
  };
}
