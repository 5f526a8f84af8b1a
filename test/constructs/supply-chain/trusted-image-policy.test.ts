import { Testing } from 'cdk8s';
import { TRUSTED_IMAGE_POLICY, TrustedImagePolicy } from '../../../constructs/supply-chain/trusted-image-policy';
import { dig } from '../../support/dig';
import { evaluatePolicy } from '../../support/vap-evaluator';
import { testChart } from '../../support/test-chart';

function policy(requireDigest = false) {
  const chart = testChart();
  new TrustedImagePolicy(chart, 'p', { allowedRegistries: ['harbor.example.com/ml', 'registry.example.com:5000'], requireDigest });
  const [vap, binding] = Testing.synth(chart);
  return { vap, binding, check: (obj: unknown) => evaluatePolicy(dig(vap, 'spec') as never, obj) };
}

const container = (image: string) => ({ name: 'c', image });
const pod = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });
const good = 'harbor.example.com/ml/trainer:1.2.0';
const digest = 'harbor.example.com/ml/trainer@sha256:' + 'a'.repeat(64);

describe('TrustedImagePolicy', () => {
  it('is a v1 ValidatingAdmissionPolicy bound to team namespaces, denying', () => {
    const { vap, binding } = policy();
    expect(vap).toMatchObject({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', spec: { failurePolicy: 'Fail' } });
    expect(binding.spec).toEqual({ policyName: TRUSTED_IMAGE_POLICY, validationActions: ['Deny'], matchResources: { namespaceSelector: { matchExpressions: [{ key: 'ml.platform/team', operator: 'Exists' }] } } });
    const resources = (dig(vap, 'spec.matchConstraints.resourceRules') as { resources: string[] }[]).flatMap((r) => r.resources);
    expect(resources).toEqual(expect.arrayContaining(['pods', 'pods/ephemeralcontainers', 'deployments', 'statefulsets', 'jobs', 'cronjobs']));
  });

  it('admits pods whose every image comes from an allowed registry', () => {
    const { check } = policy();
    expect(check(pod({ containers: [container(good)], initContainers: [container('registry.example.com:5000/tools/init:3')] }))).toEqual([]);
  });

  it.each([
    ['a container', pod({ containers: [container(good), container('docker.io/library/nginx:1.27')] }), 'docker.io/library/nginx:1.27'],
    ['an init container', pod({ containers: [container(good)], initContainers: [container('ghcr.io/evil/init:1')] }), 'ghcr.io/evil/init:1'],
    ['an ephemeral container', pod({ containers: [container(good)], ephemeralContainers: [container('busybox:1.36')] }), 'busybox:1.36'],
    ['a look-alike prefix', pod({ containers: [container('harbor.example.com/ml-evil/x:1')] }), 'harbor.example.com/ml-evil/x:1'],
    ['a Deployment template', { kind: 'Deployment', spec: { template: { spec: { containers: [container('quay.io/x/y:1')] } } } }, 'quay.io/x/y:1'],
    ['a Job template', { kind: 'Job', spec: { template: { spec: { containers: [container('quay.io/x/job:1')] } } } }, 'quay.io/x/job:1'],
    ['a CronJob job template', { kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: { containers: [container('quay.io/x/cron:1')] } } } } } }, 'quay.io/x/cron:1'],
  ])('refuses an untrusted image in %s, naming it and the allowed registries', (_what, obj, image) => {
    const messages = policy().check(obj);
    expect(messages).toEqual([`image ${image} is not from a trusted registry (allowed: harbor.example.com/ml/, registry.example.com:5000/)`]);
  });

  it('requires digests where asked', () => {
    const { check } = policy(true);
    expect(check(pod({ containers: [container(digest)] }))).toEqual([]);
    expect(check(pod({ containers: [container(digest), container(good)] }))).toEqual([`image ${good} is not pinned by digest (use name@sha256:...)`]);
  });

  it('refuses to build a policy that allows nothing', () => {
    expect(() => new TrustedImagePolicy(testChart(), 'p', { allowedRegistries: [] })).toThrow(/allowedRegistries is empty/);
  });
});
