import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { DATA_CREDENTIAL_LABEL } from '../../../constructs/access/workload-access';
import { WorkloadAccessPolicy } from '../../../constructs/access/workload-access-policy';
import { admit, AdmissionRequest, RequestPolicySpec } from '../../support/vap-request-evaluator';
import { testChart } from '../../support/test-chart';

const TEAMS = [
  { name: 'vision', groups: { mlEngineers: ['vision-mle'], dataScientists: ['vision-ds'], viewers: ['vision-view'] } },
  { name: 'nlp', groups: { mlEngineers: ['nlp-mle'], dataScientists: ['nlp-ds'], viewers: [] } },
];

function synth() {
  const chart = testChart();
  new WorkloadAccessPolicy(chart, 'p', { teams: TEAMS, clusterPullSecret: 'registry-pull' });
  const objects = Testing.synth(chart) as { kind: string; metadata: { name: string }; spec: Record<string, unknown> }[];
  const policy = (name: string): RequestPolicySpec => objects.find((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === name)?.spec as unknown as RequestPolicySpec;
  return { objects, policy };
}
const { objects, policy } = synth();

const ns = (team: string, stage: string) => ({ 'ml.platform/team': team, 'ml.platform/stage': stage });
const DS = { username: 'ada@example.com', groups: ['vision-ds', 'system:authenticated'] };
const MLE = { username: 'lin@example.com', groups: ['vision-mle', 'system:authenticated'] };
const CI = { username: 'system:serviceaccount:platform-ci:vision-deployer', groups: ['system:serviceaccounts', 'system:serviceaccounts:platform-ci', 'system:authenticated'] };
const JOB_CONTROLLER = { username: 'system:serviceaccount:kube-system:job-controller', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] };

const container = (extra: Record<string, unknown> = {}) => ({ name: 'main', image: 'harbor.example.com/ml/t:1', ...extra });
const podSpec = (extra: Record<string, unknown> = {}) => ({ serviceAccountName: 'workload', containers: [container()], ...extra });
const pod = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });
const run = (name: string, req: Partial<AdmissionRequest> & { object: unknown }) => admit(policy(name), { user: DS, namespaceLabels: ns('vision', 'training'), ...req });

describe('WorkloadAccessPolicy', () => {
  it('renders a denying v1 policy per workload kind a persona may create, plus Services and Secrets, bound to team namespaces', () => {
    const names = objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy').map((o) => o.metadata.name);
    expect(names).toEqual([
      'ml-platform-workload-access-pods',
      'ml-platform-workload-access-jobs',
      'ml-platform-workload-access-cronjobs',
      'ml-platform-workload-access-deployments',
      'ml-platform-workload-access-statefulsets',
      'ml-platform-workload-access-notebooks',
      'ml-platform-workload-access-trainjobs',
      'ml-platform-workload-access-workflows',
      'ml-platform-workload-access-inferenceservices',
      'ml-platform-service-exposure',
      'ml-platform-data-credentials',
    ]);
    for (const b of objects.filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding')) {
      expect(b.spec).toEqual({ policyName: b.metadata.name, validationActions: ['Deny'], matchResources: { namespaceSelector: { matchExpressions: [{ key: 'ml.platform/team', operator: 'Exists' }] } } });
    }
  });

  it('does not match controllers or admins: only the personas\' groups and the CI accounts', () => {
    const secretPod = pod(podSpec({ serviceAccountName: 'default', volumes: [{ name: 'v', secret: { secretName: 'db' } }] }));
    expect(run('ml-platform-workload-access-pods', { user: JOB_CONTROLLER, object: secretPod })).toBe('not matched');
    expect(run('ml-platform-workload-access-pods', { user: { username: 'root', groups: ['platform-admins'] }, object: secretPod })).toBe('not matched');
    expect(run('ml-platform-workload-access-pods', { user: CI, object: secretPod })).not.toBe('not matched');
  });

  it('admits a compliant pod for every persona that may run one', () => {
    for (const user of [DS, MLE]) expect(run('ml-platform-workload-access-pods', { user, object: pod(podSpec()) })).toEqual([]);
  });

  it.each([
    ['a secret volume', { volumes: [{ name: 'v', secret: { secretName: 'db' } }] }, 'spec.volumes[].secret db'],
    ['a projected secret', { volumes: [{ name: 'v', projected: { sources: [{ secret: { name: 'db' } }] } }] }, 'spec.volumes[].projected.sources[].secret db'],
    ['a CSI nodePublishSecretRef', { volumes: [{ name: 'v', csi: { driver: 'd', nodePublishSecretRef: { name: 'db' } } }] }, 'spec.volumes[].csi.nodePublishSecretRef db'],
    ['env valueFrom', { containers: [container({ env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'db', key: 'k' } } }] })] }, 'spec.containers[].env[].valueFrom.secretKeyRef db'],
    ['envFrom', { initContainers: [container({ envFrom: [{ secretRef: { name: 'db' } }] })] }, 'spec.initContainers[].envFrom[].secretRef db'],
  ])('refuses a data scientist\'s private Secret through %s, naming persona, field and what is allowed', (_what, extra, finding) => {
    const messages = run('ml-platform-workload-access-pods', { object: pod(podSpec(extra)) });
    expect(messages).toEqual([`data-scientist in training: ${finding} is not allowed; only shared data credentials: Secrets named data-credential-* (they carry ${DATA_CREDENTIAL_LABEL}=true)`]);
    // The same pod from an ml-engineer (who may read every Secret) is admitted.
    expect(run('ml-platform-workload-access-pods', { user: MLE, object: pod(podSpec(extra)) })).toEqual([]);
  });

  it('admits shared data credentials and the cluster pull secret for data scientists, nothing else', () => {
    const shared = pod(podSpec({ volumes: [{ name: 'v', secret: { secretName: 'data-credential-lake' } }], imagePullSecrets: [{ name: 'registry-pull' }] }));
    expect(run('ml-platform-workload-access-pods', { object: shared })).toEqual([]);
    expect(run('ml-platform-workload-access-pods', { object: pod(podSpec({ imagePullSecrets: [{ name: 'other-registry' }] })) })).toEqual([
      'data-scientist in training: spec.imagePullSecrets[] other-registry is not allowed; only the cluster pull secret registry-pull (the workload service account adds it)',
    ]);
  });

  it('holds service accounts and tokens: only the stage account, no automount, no projected token', () => {
    expect(run('ml-platform-workload-access-pods', { object: pod(podSpec({ serviceAccountName: 'default-editor' })) })).toEqual([
      'data-scientist in training: spec.serviceAccountName default-editor is not allowed; serviceAccountName must be workload (token-less, no RBAC bindings)',
    ]);
    const deployment = { kind: 'Deployment', spec: { template: { spec: { containers: [container()] } } } };
    expect(admit(policy('ml-platform-workload-access-deployments'), { user: MLE, namespaceLabels: ns('vision', 'serving'), object: deployment })).toEqual([
      'ml-engineer in serving: spec.template.spec.serviceAccountName (unset: the namespace default, with a token) is not allowed; serviceAccountName must be workload (token-less, no RBAC bindings)',
    ]);
    expect(run('ml-platform-workload-access-pods', { object: pod(podSpec({ automountServiceAccountToken: true })) })).toEqual([
      'data-scientist in training: spec.automountServiceAccountToken true is not allowed; workload pods carry no API token (automountServiceAccountToken stays false, no projected tokens or pod certificates)',
    ]);
    expect(run('ml-platform-workload-access-pods', { object: pod(podSpec({ volumes: [{ name: 't', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } }] })) })[0]).toContain('spec.volumes[].projected.sources[] serviceAccountToken is not allowed');
  });

  it('GPUs: through the queue in queued stages, never in the others, and no side doors', () => {
    const gpuPod = pod(podSpec({ containers: [container({ resources: { limits: { 'nvidia.com/gpu': 1 } } })], tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] }));
    expect(run('ml-platform-workload-access-pods', { object: gpuPod })).toEqual([]);
    expect(run('ml-platform-workload-access-pods', { object: gpuPod, namespaceLabels: ns('vision', 'data-prep') })).toEqual([
      "data-scientist in data-prep: spec.containers[].resources nvidia.com/* is not allowed; GPUs only in stages with a Kueue queue (label kueue.x-k8s.io/queue-name), this one has none",
    ]);
    const side = "is not allowed; GPU nodes and devices are reached by requesting nvidia.com/* resources or DRA claims through the queue, nothing else";
    expect(run('ml-platform-workload-access-pods', { object: pod(podSpec({ tolerations: [{ operator: 'Exists' }] })) })).toEqual([`data-scientist in training: spec.tolerations[] (GPU taint without a GPU request)  ${side}`]);
    expect(run('ml-platform-workload-access-pods', { object: pod(podSpec({ nodeName: 'gpu-0' })) })).toEqual([`data-scientist in training: spec.nodeName (bypasses the scheduler and the queue) gpu-0 ${side}`]);
    expect(run('ml-platform-workload-access-pods', { object: pod(podSpec({ containers: [container({ env: [{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' }] })] })) })).toEqual([`data-scientist in training: spec.containers[].env[] NVIDIA_VISIBLE_DEVICES ${side}`]);
  });

  it('GPUs by DRA: a pod naming claims is a GPU request, through the queue in queued stages, refused in the others', () => {
    const claims = { resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: 'h100-dra' }], containers: [container({ resources: { claims: [{ name: 'gpu' }] } })] };
    expect(run('ml-platform-workload-access-pods', { object: pod(podSpec(claims)) })).toEqual([]);
    // A claim makes the GPU toleration legitimate, as a nvidia.com/gpu request does.
    expect(run('ml-platform-workload-access-pods', { object: pod(podSpec({ ...claims, tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] })) })).toEqual([]);
    expect(run('ml-platform-workload-access-pods', { object: pod(podSpec(claims)), namespaceLabels: ns('vision', 'data-prep') })).toEqual([
      "data-scientist in data-prep: spec.resourceClaims resourceClaims is not allowed; GPUs only in stages with a Kueue queue (label kueue.x-k8s.io/queue-name), this one has none",
    ]);
  });

  it('walks the workload CRs: TrainJob initializers and patches, Workflow templates and pod patches, InferenceService frameworks', () => {
    const trainJob = { kind: 'TrainJob', spec: { initializer: { dataset: { storageUri: 's3://x', secretRef: { name: 'lake-admin' } } } } };
    expect(admit(policy('ml-platform-workload-access-trainjobs'), { user: CI, namespaceLabels: ns('vision', 'training'), object: trainJob })[0]).toContain('ci-deployer in training: spec.initializer.dataset.secretRef lake-admin is not allowed');
    const patched = { kind: 'TrainJob', spec: { runtimePatches: [{ manager: 'm', trainingRuntimeSpec: { template: { spec: { replicatedJobs: [{ name: 'node', template: { spec: { template: { spec: { serviceAccountName: 'default' } } } } }] } } } }] } };
    expect(run('ml-platform-workload-access-trainjobs', { object: patched })[0]).toContain('serviceAccountName default is not allowed');
    const workflow = { kind: 'Workflow', spec: { serviceAccountName: 'workload', templates: [{ name: 'main', script: { image: 'i', env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 'db', key: 'k' } } }] } }] } };
    expect(run('ml-platform-workload-access-workflows', { object: workflow })[0]).toContain('spec.templates[].script.env[].valueFrom.secretKeyRef db is not allowed');
    expect(run('ml-platform-workload-access-workflows', { object: { kind: 'Workflow', spec: { serviceAccountName: 'workload', podSpecPatch: '{}' } } })[0]).toContain('spec.podSpecPatch (set) is not allowed');
    const isvc = { kind: 'InferenceService', spec: { predictor: { serviceAccountName: 'workload', sklearn: { storageUri: 's3://m', env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 'db', key: 'k' } } }] } } } };
    expect(admit(policy('ml-platform-workload-access-inferenceservices'), { user: CI, namespaceLabels: ns('vision', 'serving'), object: isvc })[0]).toContain('ci-deployer in serving: spec.predictor.sklearn.env[].valueFrom.secretKeyRef db is not allowed');
  });

  it('uses the union of a user\'s personas, and nothing for a user of another team', () => {
    const both = { username: 'x', groups: ['vision-ds', 'vision-mle'] };
    const secretPod = pod(podSpec({ volumes: [{ name: 'v', secret: { secretName: 'db' } }] }));
    expect(run('ml-platform-workload-access-pods', { user: both, object: secretPod })).toEqual([]);
    const nlpDs = { username: 'y', groups: ['nlp-ds'] };
    expect(run('ml-platform-workload-access-pods', { user: nlpDs, object: pod(podSpec()) })[0]).toContain('a user outside team vision in training: spec.serviceAccountName workload is not allowed');
  });

  it('Services: externalIPs for nobody, ExternalName not for personas; LoadBalancer and NodePort are left to the quota', () => {
    const svc = (spec: Record<string, unknown>) => ({ kind: 'Service', spec: { ports: [{ port: 80 }], ...spec } });
    const p = policy('ml-platform-service-exposure');
    expect(admit(p, { user: JOB_CONTROLLER, namespaceLabels: ns('vision', 'serving'), object: svc({ externalIPs: ['1.2.3.4'] }) })[0]).toContain('spec.externalIPs 1.2.3.4 is not allowed in team namespaces (CVE-2020-8554');
    expect(admit(p, { user: MLE, namespaceLabels: ns('vision', 'serving'), object: svc({ type: 'ExternalName', externalName: 'x' }) })).toEqual(['ml-engineer in serving: spec.type ExternalName is not allowed; allowed: ClusterIP']);
    expect(admit(p, { user: MLE, namespaceLabels: ns('vision', 'serving'), object: svc({ type: 'LoadBalancer' }) })).toEqual([]);
    expect(admit(p, { user: JOB_CONTROLLER, namespaceLabels: ns('vision', 'serving'), object: svc({ type: 'ExternalName', externalName: 'x' }) })).toEqual([]);
  });

  it('Secrets: the data-credential label and name prefix go together', () => {
    const p = policy('ml-platform-data-credentials');
    const secret = (name: string, labels?: Record<string, string>) => ({ kind: 'Secret', metadata: { name, ...(labels ? { labels } : {}) } });
    expect(admit(p, { user: MLE, namespaceLabels: ns('vision', 'training'), object: secret('data-credential-lake', { [DATA_CREDENTIAL_LABEL]: 'true' }) })).toEqual([]);
    expect(admit(p, { user: MLE, namespaceLabels: ns('vision', 'training'), object: secret('db') })).toEqual([]);
    expect(admit(p, { user: MLE, namespaceLabels: ns('vision', 'training'), object: secret('data-credential-lake') })[0]).toContain('must carry ml.platform/data-credential: "true"');
    expect(admit(p, { user: MLE, namespaceLabels: ns('vision', 'training'), object: secret('lake', { [DATA_CREDENTIAL_LABEL]: 'true' }) })[0]).toContain('only honoured on Secrets named data-credential-*');
  });

  it('admits the shipped examples for the personas that may create them', () => {
    const dir = path.join(__dirname, '..', '..', '..', 'examples');
    const cases: [string, string, string][] = [
      ['notebook.yaml', 'ml-platform-workload-access-notebooks', 'data-prep'],
      ['inferenceservice.yaml', 'ml-platform-workload-access-inferenceservices', 'serving'],
      ['trainjob.yaml', 'ml-platform-workload-access-trainjobs', 'training'],
    ];
    for (const [file, name, stage] of cases) {
      const object = YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as unknown;
      expect([file, admit(policy(name), { user: MLE, namespaceLabels: ns('vision', stage), object })]).toEqual([file, []]);
    }
  });

  it('stays small: each finding is one variable walked once (the API server compiles a policy whole; Pulumi keeps it three times in state)', () => {
    const sizes = objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy').map((o) => JSON.stringify(o).length);
    // Before findings were variables: 177 KB for InferenceServices, 659 KB for the 12 policies of dev.
    expect(Math.max(...sizes)).toBeLessThan(100_000);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(400_000);
    const isvc = policy('ml-platform-workload-access-inferenceservices') as unknown as { variables: { name: string; expression: string }[] };
    const names = isvc.variables.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    // A variable only reads variables declared before it (the API server refuses a forward reference).
    isvc.variables.forEach((v, i) => {
      for (const [, used] of v.expression.matchAll(/variables\.([A-Za-z_][A-Za-z0-9_]*)/g)) expect([v.name, names.indexOf(used) < i && names.indexOf(used) >= 0]).toEqual([v.name, true]);
    });
  });

  it('refuses to build policies that match nobody', () => {
    expect(() => new WorkloadAccessPolicy(testChart(), 'p', { teams: [] })).toThrow(/no teams/);
  });
});
