/**
 * The workload-access model (constructs/access/workload-access.ts) against a real API server: the
 * synthesized platform of each environment's primary cluster is applied, then every persona of
 * the first team tries, in every stage and through every workload kind it may create, each path of
 * each class (Secrets, pull secrets, service accounts, API tokens, GPUs, Service exposure) both ways,
 * as itself (impersonation headers) with server-side dry-run creates. The answer must be what the
 * model says: allowed where it allows, refused by the access policies where it does not. The
 * controllers' identities are not matched, and the real Job and Deployment controllers still
 * create pods from the templates personas wrote.
 *
 * Run: `npm run test:cluster -- workload-access`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { LABEL } from '../../constructs/labels';
import { ciDeployerName } from '../../constructs/access/least-privilege-rbac';
import { Persona } from '../../constructs/access/permission-matrix';
import { PLATFORM_NAMESPACES, workflowNamespaceName } from '../../constructs/tenancy/platform-namespaces';
import { GPU_RESOURCE, SHARED_GPU_RESOURCE } from '../../constructs/tenancy/resource-budget';
import { STAGE_SERVICE_ACCOUNT } from '../../constructs/tenancy/workflow-namespace';
import { DATA_CREDENTIAL_LABEL, DATA_CREDENTIAL_PREFIX, workloadAccess, WorkloadAccess, WorkloadKind } from '../../constructs/access/workload-access';
import { GPU_TOLERATION } from '../../constructs/gpu/gpu-scheduling';
import { clusterStages, loadEnvironment, PlatformSpec, Stage } from '../../environments';
import { ClusterManifests, ManifestObject } from '../../stacks/manifests';
import { ENV_NAMES, rendered } from '../support/synth';
import { KubeApi, mapConcurrent } from './api-client';
import { ControlPlane, startControlPlane } from './control-plane';
import { Answer, Identity, ImpersonatingClient } from './impersonation';
import { applyFiles, crdFixtures, installCrds, CrdFixture, poll, RESTRICTED_SECURITY_CONTEXT, seconds, selectCrds } from './platform-helpers';

interface Case {
  readonly env: string;
  readonly spec: PlatformSpec;
  readonly manifests: ClusterManifests;
}

const CASES: Case[] = ENV_NAMES.flatMap((env) => {
  const spec = loadEnvironment(env);
  return rendered(env)
    .filter((m) => m.cluster.role === 'primary')
    .map((manifests) => ({ env, spec, manifests }));
});

/** Argo's CRD as Kubeflow Pipelines installs it (the minimal one: spec is preserve-unknown-fields). */
const ARGO_WORKFLOW_CRD = path.join(__dirname, '..', '..', '..', 'shared', 'kubeflow-manifests', 'argo-workflows-v3.7.3', 'manifests', 'base', 'crds', 'minimal', 'argoproj.io_workflows.yaml');
const WORKLOAD_CRD_KINDS = ['Notebook', 'TrainJob', 'InferenceService'];
const POLICY_PREFIX = "ValidatingAdmissionPolicy 'ml-platform-workload-access-";

/** One variation of a workload: what it adds to a compliant baseline. */
interface Shape {
  volumes?: Record<string, unknown>[];
  env?: Record<string, unknown>[];
  envFrom?: Record<string, unknown>[];
  imagePullSecrets?: { name: string }[];
  /** undefined: the stage's account; null: unset. */
  serviceAccountName?: string | null;
  automountServiceAccountToken?: boolean;
  tolerations?: Record<string, unknown>[];
  nodeName?: string;
  gpu?: string;
  labels?: Record<string, string>;
}

type Class = 'secrets' | 'pull-secrets' | 'service-accounts' | 'token' | 'gpu';

interface Variant {
  readonly cls: Class;
  readonly name: string;
  readonly shape: Shape;
  /** What the model says for this persona/stage. */
  readonly allowed: (a: WorkloadAccess) => boolean;
  /** A field the refusal must name. */
  readonly field: string;
}

const SHARED = `${DATA_CREDENTIAL_PREFIX}lake`;
const PRIVATE = 'model-store-admin';

function variants(pullSecret: string | undefined, gpuResource: string | undefined): Variant[] {
  const anySecret = (a: WorkloadAccess): boolean => a.secrets === 'any';
  const shared = (a: WorkloadAccess): boolean => a.secrets !== 'none';
  const secretPaths: [string, (n: string) => Shape, string][] = [
    ['volume', (n) => ({ volumes: [{ name: 'v', secret: { secretName: n } }] }), 'volumes[].secret'],
    ['projected volume', (n) => ({ volumes: [{ name: 'v', projected: { sources: [{ secret: { name: n } }] } }] }), 'projected.sources[].secret'],
    ['CSI nodePublishSecretRef', (n) => ({ volumes: [{ name: 'v', csi: { driver: 'secrets-store.csi.k8s.io', nodePublishSecretRef: { name: n } } }] }), 'csi.nodePublishSecretRef'],
    ['env valueFrom', (n) => ({ env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: n, key: 'k' } } }] }), 'env[].valueFrom.secretKeyRef'],
    ['envFrom', (n) => ({ envFrom: [{ secretRef: { name: n } }] }), 'envFrom[].secretRef'],
  ];
  const out: Variant[] = [];
  for (const [name, shape, field] of secretPaths) {
    out.push({ cls: 'secrets', name: `${name}: shared data credential`, shape: shape(SHARED), allowed: shared, field });
    out.push({ cls: 'secrets', name: `${name}: private Secret`, shape: shape(PRIVATE), allowed: anySecret, field });
  }
  if (pullSecret !== undefined) out.push({ cls: 'pull-secrets', name: 'the cluster pull secret', shape: { imagePullSecrets: [{ name: pullSecret }] }, allowed: shared, field: 'imagePullSecrets[]' });
  out.push({ cls: 'pull-secrets', name: 'another pull secret', shape: { imagePullSecrets: [{ name: PRIVATE }] }, allowed: anySecret, field: 'imagePullSecrets[]' });
  out.push({ cls: 'service-accounts', name: `serviceAccountName ${STAGE_SERVICE_ACCOUNT}`, shape: {}, allowed: (a) => a.serviceAccounts.includes(STAGE_SERVICE_ACCOUNT), field: 'serviceAccountName' });
  out.push({ cls: 'service-accounts', name: 'serviceAccountName default', shape: { serviceAccountName: 'default' }, allowed: (a) => a.serviceAccounts.includes('default'), field: 'serviceAccountName' });
  out.push({ cls: 'service-accounts', name: 'serviceAccountName unset', shape: { serviceAccountName: null }, allowed: () => false, field: 'serviceAccountName' });
  out.push({ cls: 'token', name: 'automountServiceAccountToken: true', shape: { automountServiceAccountToken: true }, allowed: (a) => a.apiToken, field: 'automountServiceAccountToken' });
  out.push({ cls: 'token', name: 'projected serviceAccountToken', shape: { volumes: [{ name: 't', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] } }] }, allowed: (a) => a.apiToken, field: 'projected.sources[]' });
  if (gpuResource !== undefined) {
    out.push({ cls: 'gpu', name: `${gpuResource} through the queue`, shape: { gpu: gpuResource, tolerations: [{ ...GPU_TOLERATION }], labels: { 'kueue.x-k8s.io/queue-name': 'gpu' } }, allowed: (a) => a.gpu === 'kueue-queue', field: 'resources' });
  }
  out.push({ cls: 'gpu', name: 'GPU toleration without a GPU request', shape: { tolerations: [{ ...GPU_TOLERATION }] }, allowed: () => false, field: 'tolerations[]' });
  out.push({ cls: 'gpu', name: 'NVIDIA_VISIBLE_DEVICES=all', shape: { env: [{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' }] }, allowed: () => false, field: 'env[]' });
  out.push({ cls: 'gpu', name: 'nodeName (no scheduler, no queue)', shape: { nodeName: 'gpu-node-0' }, allowed: () => false, field: 'nodeName' });
  return out;
}

/** The compliant pod spec plus the variant, in the fields every PodSpec has. */
function podSpec(image: string, s: Shape, restartPolicy?: string): Record<string, unknown> {
  const resources = s.gpu === undefined ? { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '200m', memory: '128Mi' } } : { requests: { cpu: '100m', memory: '128Mi', [s.gpu]: '1' }, limits: { cpu: '200m', memory: '128Mi', [s.gpu]: '1' } };
  const container: Record<string, unknown> = { name: 'main', image, securityContext: RESTRICTED_SECURITY_CONTEXT, resources };
  if (s.env) container.env = s.env;
  if (s.envFrom) container.envFrom = s.envFrom;
  const spec: Record<string, unknown> = { containers: [container] };
  if (s.serviceAccountName !== null) spec.serviceAccountName = s.serviceAccountName ?? STAGE_SERVICE_ACCOUNT;
  if (s.volumes) spec.volumes = s.volumes;
  if (s.imagePullSecrets) spec.imagePullSecrets = s.imagePullSecrets;
  if (s.automountServiceAccountToken !== undefined) spec.automountServiceAccountToken = s.automountServiceAccountToken;
  if (s.tolerations) spec.tolerations = s.tolerations;
  if (s.nodeName) spec.nodeName = s.nodeName;
  if (restartPolicy) spec.restartPolicy = restartPolicy;
  return spec;
}

/** The variant as an object of `kind`, or undefined where the kind has no field for it. */
function workloadObject(kind: WorkloadKind, name: string, namespace: string, image: string, s: Shape): Record<string, unknown> | undefined {
  const metadata = { name, namespace, labels: { 'ml.platform/test': 'workload-access', ...(s.labels ?? {}) } };
  const template = (restart?: string) => ({ metadata: { labels: { app: name, ...(s.labels ?? {}) } }, spec: podSpec(image, s, restart) });
  switch (kind.kind) {
    case 'Pod':
      return { apiVersion: 'v1', kind: 'Pod', metadata, spec: podSpec(image, s) };
    case 'Job':
      return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: { template: template('Never') } };
    case 'CronJob':
      return { apiVersion: 'batch/v1', kind: 'CronJob', metadata, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: template('Never') } } } };
    case 'Deployment':
      return { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: { selector: { matchLabels: { app: name } }, template: template() } };
    case 'StatefulSet':
      return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata, spec: { serviceName: name, selector: { matchLabels: { app: name } }, template: template() } };
    case 'Notebook':
      return { apiVersion: 'kubeflow.org/v1', kind: 'Notebook', metadata, spec: { template: { spec: podSpec(image, s) } } };
    case 'InferenceService':
      return { apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', metadata, spec: { predictor: podSpec(image, s) } };
    case 'Workflow': {
      if (s.nodeName !== undefined) return undefined; // Argo templates have no nodeName
      const p = podSpec(image, s);
      const { containers, ...podLevel } = p;
      const [container] = containers as Record<string, unknown>[];
      return {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Workflow',
        metadata,
        spec: { entrypoint: 'main', ...podLevel, templates: [{ name: 'main', container, ...(s.labels ? { metadata: { labels: s.labels } } : {}) }] },
      };
    }
    case 'TrainJob': {
      // A TrainJob's pods come from the runtime; a persona reaches them through trainer fields and runtimePatches.
      if (s.nodeName !== undefined || s.automountServiceAccountToken !== undefined || s.envFrom !== undefined) return undefined;
      const patchSpec: Record<string, unknown> = { containers: [{ name: 'node', ...(s.env ? { env: s.env } : {}) }] };
      if (s.serviceAccountName !== undefined && s.serviceAccountName !== null) patchSpec.serviceAccountName = s.serviceAccountName;
      if (s.serviceAccountName === null) return undefined; // nothing to unset: the runtime decides
      if (s.volumes) patchSpec.volumes = s.volumes;
      if (s.imagePullSecrets) patchSpec.imagePullSecrets = s.imagePullSecrets;
      if (s.tolerations) patchSpec.tolerations = s.tolerations;
      const resourcesPerNode = s.gpu === undefined ? undefined : { requests: { [s.gpu]: '1' }, limits: { [s.gpu]: '1' } };
      return {
        apiVersion: 'trainer.kubeflow.org/v1alpha1',
        kind: 'TrainJob',
        metadata,
        spec: {
          runtimeRef: { name: 'torch-distributed' },
          trainer: { image, ...(resourcesPerNode ? { resourcesPerNode } : {}) },
          runtimePatches: [{ manager: 'ml.platform/workload-access-test', trainingRuntimeSpec: { template: { spec: { replicatedJobs: [{ name: 'node', template: { spec: { template: { spec: patchSpec } } } }] } } } }],
        },
      };
    }
  }
  throw new Error(`no test object for ${kind.kind}`);
}

const plural = (k: WorkloadKind, namespace: string): string => {
  const version: Record<string, string> = { '': 'v1', batch: 'v1', apps: 'v1', 'kubeflow.org': 'v1', 'serving.kserve.io': 'v1beta1', 'argoproj.io': 'v1alpha1', 'trainer.kubeflow.org': 'v1alpha1' };
  const base = k.group === '' ? '/api/v1' : `/apis/${k.group}/${version[k.group]}`;
  return `${base}/namespaces/${namespace}/${k.resource}`;
};

type Outcome = 'allowed' | 'policy' | 'rbac' | 'other';
const outcome = (a: Answer): Outcome =>
  a.status >= 200 && a.status < 300 ? 'allowed' : a.status === 403 && a.message.includes("ValidatingAdmissionPolicy 'ml-platform-") && !a.message.includes('trusted-images') ? 'policy' : a.status === 403 && a.message.includes('cannot create') ? 'rbac' : 'other';

interface Figures {
  cluster: string;
  tried: number;
  allowed: number;
  refused: number;
  rbac: number;
  perPersonaStage: Map<string, { tried: number; allowed: number; refused: number }>;
  messages: string[];
  ms: number;
  typeWarnings: number;
}
const ALL: Figures[] = [];
const STARTED = Date.now();

afterAll(() => {
  const lines = ALL.flatMap((f) => [
    `${f.cluster}: ${f.tried} dry-run creates as personas, ${f.allowed} allowed / ${f.refused} refused by the access policies (${f.rbac} more refused by RBAC, as the matrix says); ${f.typeWarnings} type-check warnings; ${Math.round(f.ms / 100) / 10} s`,
    ...[...f.perPersonaStage].map(([k, v]) => `    ${k.padEnd(28)} tried ${String(v.tried).padStart(4)}  allowed ${String(v.allowed).padStart(4)}  refused ${String(v.refused).padStart(4)}`),
  ]);
  process.stderr.write(['', '[workload-access.test] impersonated requests on a real API server', ...lines, `total ${seconds(STARTED)} s`, ...(ALL.length > 0 ? ['sample messages:', ...ALL[0].messages.slice(0, 12).map((m) => `  ${m}`)] : []), ''].join('\n'));
});

describe.each(CASES.map((c): [string, string, Case] => [c.env, c.manifests.cluster.name, c]))('%s/%s: workload access on a real API server', (_env, clusterName, c) => {
  const { spec } = c;
  const cluster = c.manifests.cluster;
  const stages = clusterStages(spec, cluster);
  const objects: ManifestObject[] = c.manifests.files.flatMap((f) => [...f.objects]);
  const team = spec.teams[0];
  const DIGEST = `@sha256:${'0123456789abcdef'.repeat(4)}`;
  const image = `${cluster.registry.endpoint}/trainer:1.0.0${spec.images.requireDigest ? DIGEST : ''}`;
  const fig: Figures = { cluster: `${c.env}/${clusterName}`, tried: 0, allowed: 0, refused: 0, rbac: 0, perPersonaStage: new Map(), messages: [], ms: 0, typeWarnings: 0 };

  let cp: ControlPlane | undefined;
  let api: KubeApi | undefined;
  let as: ImpersonatingClient | undefined;
  const plane = (): ControlPlane => cp as ControlPlane;
  const admin = (): KubeApi => api as KubeApi;
  const client = (): ImpersonatingClient => as as ImpersonatingClient;

  const personas: { persona: Persona; who: Identity }[] = [
    ...team.groups.mlEngineers.slice(0, 1).map((g) => ({ persona: 'ml-engineer' as const, who: { user: `wa-mle@${team.name}.example`, groups: [g] } })),
    ...team.groups.dataScientists.slice(0, 1).map((g) => ({ persona: 'data-scientist' as const, who: { user: `wa-ds@${team.name}.example`, groups: [g] } })),
    ...team.groups.viewers.slice(0, 1).map((g) => ({ persona: 'viewer' as const, who: { user: `wa-viewer@${team.name}.example`, groups: [g] } })),
    {
      persona: 'ci-deployer',
      who: { user: `system:serviceaccount:${PLATFORM_NAMESPACES.ci}:${ciDeployerName(team.name)}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${PLATFORM_NAMESPACES.ci}`] },
    },
  ];

  beforeAll(async () => {
    const t = Date.now();
    cp = await startControlPlane({ log: () => undefined });
    api = new KubeApi(cp);
    as = new ImpersonatingClient(cp);
    const selection = await selectCrds(admin(), objects);
    const extra: CrdFixture[] = crdFixtures().filter((f) => WORKLOAD_CRD_KINDS.includes(f.kind) && !selection.crds.some((s) => s.name === f.name));
    const argo = YAML.parse(fs.readFileSync(ARGO_WORKFLOW_CRD, 'utf8')) as Record<string, unknown>;
    const argoFixture: CrdFixture = { file: ARGO_WORKFLOW_CRD, name: 'workflows.argoproj.io', group: 'argoproj.io', kind: 'Workflow', servedVersions: ['v1alpha1'], doc: argo };
    const crds = await installCrds(plane(), admin(), [...selection.crds, ...extra, argoFixture]);
    if (crds.code !== 0) throw new Error(`CRDs: ${crds.stderr}`);
    const applied = await applyFiles(plane(), c.manifests.files, 'manifests');
    const errors = applied.flatMap((f) => f.errors);
    if (errors.length > 0) throw new Error(`apply: ${errors.join('; ')}`);
    // Quota admission refuses pods until the controller has written status.hard.
    await poll('quota status', async () => {
      const list = await admin().json<{ items: { status?: { hard?: Record<string, string> } }[] }>('GET', '/api/v1/resourcequotas');
      return list.items.length > 0 && list.items.every((q) => q.status?.hard !== undefined) ? true : undefined;
    });
    // New policies are enforced once type-checked and bound: wait for a refusal.
    const ns = workflowNamespaceName(team.name, stages[0]);
    const probe = workloadObject({ group: '', resource: 'pods', kind: 'Pod' }, 'wa-ready', ns, image, { serviceAccountName: 'default' }) as Record<string, unknown>;
    await poll('the workload-access policies to be enforced', async () => {
      const a = await client().send(personas[0].who, 'POST', `/api/v1/namespaces/${ns}/pods`, probe);
      return a.status === 403 && a.message.includes(POLICY_PREFIX) ? true : undefined;
    }, 60000, 500);
    const extIp = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'wa-ready', namespace: ns }, spec: { ports: [{ port: 80 }], externalIPs: ['203.0.113.1'] } };
    await poll('the service-exposure policy to be enforced', async () => {
      const a = await client().send(personas[0].who, 'POST', `/api/v1/namespaces/${ns}/services`, extIp);
      return a.status === 403 && a.message.includes("'ml-platform-service-exposure'") ? true : undefined;
    }, 60000, 500);
    const unlabelled = { apiVersion: 'v1', kind: 'Secret', metadata: { name: `${DATA_CREDENTIAL_PREFIX}ready`, namespace: ns } };
    await poll('the data-credential policy to be enforced', async () => {
      const a = await client().send(personas[0].who, 'POST', `/api/v1/namespaces/${ns}/secrets`, unlabelled);
      return a.status === 403 && a.message.includes("'ml-platform-data-credentials'") ? true : undefined;
    }, 60000, 500);
    fig.ms = Date.now() - t;
  }, 30 * 60 * 1000);

  afterAll(async () => {
    client().close();
    admin().close();
    await cp?.stop();
    ALL.push(fig);
  });

  test('the policies are type-checked by the API server without warnings', async () => {
    const list = await admin().json<{ items: { metadata: { name: string }; status?: { typeChecking?: { expressionWarnings?: { fieldRef: string; warning: string }[] } } }[] }>('GET', '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies');
    const ours = list.items.filter((p) => p.metadata.name.startsWith('ml-platform-workload-access-') || p.metadata.name === 'ml-platform-service-exposure' || p.metadata.name === 'ml-platform-data-credentials');
    expect(ours.length).toBeGreaterThan(3);
    // Warnings on the CRD-typed kinds are reported but not failing (preserve-unknown-fields schemas); errors would be.
    await poll('type checking of every policy', async () => {
      const again = await admin().json<{ items: { metadata: { name: string }; status?: { typeChecking?: unknown } }[] }>('GET', '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies');
      return again.items.filter((p) => ours.some((o) => o.metadata.name === p.metadata.name)).every((p) => p.status?.typeChecking !== undefined) ? true : undefined;
    });
    const checked = await admin().json<typeof list>('GET', '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies');
    const warnings = checked.items.filter((p) => ours.some((o) => o.metadata.name === p.metadata.name)).flatMap((p) => (p.status?.typeChecking?.expressionWarnings ?? []).map((w) => `${p.metadata.name} ${w.fieldRef}: ${w.warning.slice(0, 200)}`));
    fig.typeWarnings = warnings.length;
    if (warnings.length > 0) process.stderr.write(`type-check warnings (${warnings.length}):\n${warnings.slice(0, 5).join('\n')}\n`);
    expect(warnings).toEqual([]);
  });

  describe.each(stages.map((s): [Stage] => [s]))('stage %s', (stage) => {
    const ns = workflowNamespaceName(team.name, stage);
    const quota = team.quotas[stage];
    const gpuResource = quota === undefined ? undefined : quota.gpu > 0 ? GPU_RESOURCE : quota.sharedGpu > 0 ? SHARED_GPU_RESOURCE : SHARED_GPU_RESOURCE;

    test.each(personas.map((p): [Persona, (typeof personas)[number]] => [p.persona, p]))('%s: every path of every class, through every kind it may create, both ways', async (_p, { persona, who }) => {
      const t = Date.now();
      const model = workloadAccess(persona, stage);
      const probes: { kind: WorkloadKind; v: Variant; obj: Record<string, unknown>; want: boolean }[] = [];
      let n = 0;
      for (const kind of model.workloadKinds) {
        for (const v of variants(cluster.registry.pullSecretName, gpuResource)) {
          const obj = workloadObject(kind, `wa-${n++}`, ns, image, v.shape);
          if (obj !== undefined) probes.push({ kind, v, obj, want: v.allowed(model) });
        }
      }
      const answers = await mapConcurrent(probes, client().concurrency, (p) => client().send(who, 'POST', plural(p.kind, ns), p.obj));
      const wrong: string[] = [];
      const key = `${persona}/${stage}`;
      const row = fig.perPersonaStage.get(key) ?? { tried: 0, allowed: 0, refused: 0 };
      probes.forEach((p, i) => {
        const a = answers[i];
        const o = outcome(a);
        const label = `${persona} in ${ns}: ${p.kind.kind} with ${p.v.cls} / ${p.v.name}`;
        fig.tried++;
        row.tried++;
        if (o === 'allowed') {
          fig.allowed++;
          row.allowed++;
        }
        if (o === 'policy') {
          fig.refused++;
          row.refused++;
          if (fig.messages.length < 40 && p.kind.kind === 'Pod') fig.messages.push(a.message.slice(0, 400));
        }
        if (p.want) {
          // GPU pods may still meet the stage quota (a budget, not the access model): that is not a policy refusal.
          const quotaOnly = o === 'other' && p.v.cls === 'gpu' && a.message.includes('exceeded quota');
          if (o !== 'allowed' && !quotaOnly) wrong.push(`${label}: want allowed, got HTTP ${a.status} ${a.message.slice(0, 300)}`);
        } else {
          if (o !== 'policy') wrong.push(`${label}: want refused by the access policy, got ${o} HTTP ${a.status} ${a.message.slice(0, 300)}`);
          else if (!a.message.includes(`${persona} in ${stage}`) || !a.message.includes(p.v.field)) wrong.push(`${label}: message does not name the persona and ${p.v.field}: ${a.message.slice(0, 300)}`);
        }
      });
      fig.perPersonaStage.set(key, row);
      fig.ms += Date.now() - t;
      expect(wrong).toEqual([]);
      if (model.workloadKinds.length === 0) {
        // Nothing to create here: RBAC refuses before admission, as the matrix says.
        const a = await client().send(who, 'POST', `/api/v1/namespaces/${ns}/pods`, workloadObject({ group: '', resource: 'pods', kind: 'Pod' }, 'wa-rbac', ns, image, {}));
        expect(outcome(a)).toBe('rbac');
        fig.rbac++;
      }
    });

    test.each(personas.map((p): [Persona, (typeof personas)[number]] => [p.persona, p]))('%s: Services stay inside the namespace (externalIPs and ExternalName refused, LoadBalancer/NodePort at 0 by quota)', async (_p, { persona, who }) => {
      const model = workloadAccess(persona, stage);
      const svc = (name: string, extra: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { ports: [{ port: 8080 }], selector: { app: 'x' }, ...extra } });
      const cases: [string, Record<string, unknown>, (a: Answer) => boolean][] = [
        ['ClusterIP', svc('wa-clusterip', {}), (a) => outcome(a) === (model.serviceTypes.includes('ClusterIP') ? 'allowed' : 'rbac')],
        ['externalIPs', svc('wa-extip', { externalIPs: ['203.0.113.10'] }), (a) => (model.serviceTypes.length === 0 ? outcome(a) === 'rbac' : outcome(a) === 'policy' && a.message.includes('spec.externalIPs') && a.message.includes('CVE-2020-8554'))],
        ['ExternalName', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'wa-extname', namespace: ns }, spec: { type: 'ExternalName', externalName: 'kubernetes.default.svc.cluster.local' } }, (a) => (model.serviceTypes.length === 0 ? outcome(a) === 'rbac' : outcome(a) === 'policy' && a.message.includes(`${persona} in ${stage}`) && a.message.includes('spec.type ExternalName'))],
        ['LoadBalancer', svc('wa-lb', { type: 'LoadBalancer' }), (a) => (model.serviceTypes.length === 0 ? outcome(a) === 'rbac' : a.status === 403 && a.message.includes('exceeded quota') && a.message.includes('services.loadbalancers'))],
        ['NodePort', svc('wa-np', { type: 'NodePort' }), (a) => (model.serviceTypes.length === 0 ? outcome(a) === 'rbac' : a.status === 403 && a.message.includes('exceeded quota') && a.message.includes('services.nodeports'))],
      ];
      const wrong: string[] = [];
      for (const [name, obj, ok] of cases) {
        const a = await client().send(who, 'POST', `/api/v1/namespaces/${ns}/services`, obj);
        fig.tried++;
        if (outcome(a) === 'allowed') fig.allowed++;
        else if (outcome(a) === 'rbac') fig.rbac++;
        else fig.refused++;
        if (!ok(a)) wrong.push(`${persona} in ${ns}: Service ${name}: HTTP ${a.status} ${a.message.slice(0, 300)}`);
      }
      expect(wrong).toEqual([]);
    });
  });

  test('externalIPs are refused for everyone in team namespaces, the platform admin included', async () => {
    const ns = workflowNamespaceName(team.name, stages[0]);
    const a = await client().send({ user: 'wa-admin@example', groups: [spec.platformAdmins[0]] }, 'POST', `/api/v1/namespaces/${ns}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'wa-admin-extip', namespace: ns },
      spec: { ports: [{ port: 80 }], externalIPs: ['203.0.113.10'] },
    });
    expect(outcome(a)).toBe('policy');
    expect(a.message).toContain('spec.externalIPs 203.0.113.10 is not allowed');
  });

  test('a team shares a data credential on purpose: label and name go together (ml-engineer writes it, data scientists cannot)', async () => {
    const ns = workflowNamespaceName(team.name, stages.includes('training') ? 'training' : stages[0]);
    const mle = personas.find((p) => p.persona === 'ml-engineer') as (typeof personas)[number];
    const secret = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns, labels }, stringData: { key: 'value' } });
    const shared = await client().send(mle.who, 'POST', `/api/v1/namespaces/${ns}/secrets`, secret(SHARED, { [DATA_CREDENTIAL_LABEL]: 'true' }));
    expect(outcome(shared)).toBe('allowed');
    const unlabelled = await client().send(mle.who, 'POST', `/api/v1/namespaces/${ns}/secrets`, secret(`${DATA_CREDENTIAL_PREFIX}unlabelled`, {}));
    expect(outcome(unlabelled)).toBe('policy');
    expect(unlabelled.message).toContain(`must carry ${DATA_CREDENTIAL_LABEL}`);
    const misnamed = await client().send(mle.who, 'POST', `/api/v1/namespaces/${ns}/secrets`, secret('lake-token', { [DATA_CREDENTIAL_LABEL]: 'true' }));
    expect(outcome(misnamed)).toBe('policy');
    expect(misnamed.message).toContain(`only honoured on Secrets named ${DATA_CREDENTIAL_PREFIX}*`);
    const ds = personas.find((p) => p.persona === 'data-scientist');
    if (ds !== undefined) {
      const byDs = await client().send(ds.who, 'POST', `/api/v1/namespaces/${ns}/secrets`, secret(`${DATA_CREDENTIAL_PREFIX}mine`, { [DATA_CREDENTIAL_LABEL]: 'true' }));
      expect(outcome(byDs)).toBe('rbac');
    }
  });

  test('controllers are not matched: their identities create pods with any Secret, account or token (RBAC set aside with system:masters)', async () => {
    const ns = workflowNamespaceName(team.name, stages.includes('training') ? 'training' : stages[0]);
    const controllers: Identity[] = [
      ['kube-system', 'job-controller'],
      ['kube-system', 'replicaset-controller'],
      ['kueue-system', 'kueue-controller-manager'],
      ['kubeflow', 'notebook-controller-service-account'],
      ['kubeflow-system', 'kubeflow-trainer-controller-manager'],
      ['kubeflow', 'argo'],
      ['kserve', 'kserve-controller-manager'],
    ].map(([n, sa]) => ({ user: `system:serviceaccount:${n}:${sa}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${n}`, 'system:masters'] }));
    const pod = workloadObject({ group: '', resource: 'pods', kind: 'Pod' }, 'wa-controller', ns, image, {
      serviceAccountName: 'default',
      volumes: [{ name: 'v', secret: { secretName: PRIVATE } }],
      automountServiceAccountToken: true,
    });
    const answers = await Promise.all(controllers.map((who) => client().send(who, 'POST', `/api/v1/namespaces/${ns}/pods`, pod)));
    expect(answers.map((a, i) => `${controllers[i].user}: ${outcome(a)} ${a.message.slice(0, 200)}`)).toEqual(controllers.map((w) => `${w.user}: allowed ok`));
  });

  test('updates are held to the model too: a compliant CronJob cannot be patched to mount a private Secret', async () => {
    const stage: Stage = stages.includes('training') ? 'training' : stages[0];
    const ns = workflowNamespaceName(team.name, stage);
    const ds = personas.find((p) => p.persona === 'data-scientist') ?? personas[0];
    const kind: WorkloadKind = { group: 'batch', resource: 'cronjobs', kind: 'CronJob' };
    const created = await client().send(ds.who, 'POST', plural(kind, ns), workloadObject(kind, 'wa-update', ns, image, {}), false);
    expect(outcome(created)).toBe('allowed');
    const patch = { spec: { jobTemplate: { spec: { template: { spec: { volumes: [{ name: 'v', secret: { secretName: PRIVATE } }] } } } } } };
    const patched = await client().send(ds.who, 'PATCH', `${plural(kind, ns)}/wa-update`, patch, true, 'application/merge-patch+json');
    expect(outcome(patched)).toBe(workloadAccess(ds.persona, stage).secrets === 'any' ? 'allowed' : 'policy');
    if (ds.persona === 'data-scientist') expect(patched.message).toContain(`data-scientist in ${stage}: spec.jobTemplate.spec.template.spec.volumes[].secret ${PRIVATE} is not allowed`);
    const shared = { spec: { jobTemplate: { spec: { template: { spec: { volumes: [{ name: 'v', secret: { secretName: SHARED } }] } } } } } };
    expect(outcome(await client().send(ds.who, 'PATCH', `${plural(kind, ns)}/wa-update`, shared, true, 'application/merge-patch+json'))).toBe('allowed');
  });

  test('the real Job and Deployment controllers still create the pods of templates personas wrote', async () => {
    const made: { ns: string; selector: string }[] = [];
    for (const stage of stages) {
      const ns = workflowNamespaceName(team.name, stage);
      for (const { persona, who } of personas) {
        const kinds = workloadAccess(persona, stage).workloadKinds.filter((k) => k.kind === 'Job' || k.kind === 'Deployment');
        for (const kind of kinds) {
          const name = `wa-real-${persona}-${kind.resource}`.slice(0, 50);
          const obj = workloadObject(kind, name, ns, image, { volumes: [{ name: 'v', secret: { secretName: SHARED } }] }) as Record<string, unknown>;
          const a = await client().send(who, 'POST', plural(kind, ns), obj, false);
          expect(`${persona} ${kind.kind} in ${ns}: ${outcome(a)} ${a.message.slice(0, 200)}`).toBe(`${persona} ${kind.kind} in ${ns}: allowed ok`);
          made.push({ ns, selector: kind.kind === 'Job' ? `job-name=${name}` : `app=${name}` });
        }
      }
    }
    expect(made.length).toBeGreaterThan(0);
    for (const m of made) {
      await poll(`pods of ${m.ns} ${m.selector}`, async () => {
        const list = await admin().json<{ items: unknown[] }>('GET', `/api/v1/namespaces/${m.ns}/pods?labelSelector=${encodeURIComponent(m.selector)}`);
        return list.items.length > 0 ? true : undefined;
      }, 60000, 500);
    }
  });
});

// The label the namespaces carry is what the policies read the stage from.
test('workload namespaces carry the stage label the policies read', () => {
  for (const c of CASES) {
    const namespaces = c.manifests.files.flatMap((f) => [...f.objects]).filter((o) => o.kind === 'Namespace' && o.metadata.labels?.[LABEL.team] !== undefined);
    expect(namespaces.every((n) => n.metadata.labels?.[LABEL.stage] !== undefined)).toBe(true);
  }
});
