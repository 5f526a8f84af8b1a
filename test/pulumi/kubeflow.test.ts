import { KUBEFLOW_MANIFESTS, KUBEFLOW_PARTS } from '../../constructs/catalog';
import { KUBEFLOW_SOURCE } from '../../constructs/kubeflow/kubeflow';
import { loadEnvironment } from '../../environments';
import { ManifestObject } from '../../stacks/manifests';
import { planEnvironment } from '../../stacks/pulumi/deployment-plan';
import { KubeflowBuilder, kubeflowBuildSettings, parseKubeflowWebhooks, withKubeflow } from '../../stacks/pulumi/kubeflow-install';
import { asApplied, clusterScopedCrdKinds, KubeflowPlan, objectKey, splitKubeflowBuild, withSharedMetadata } from '../../stacks/pulumi/kubeflow-plan';
import { isFluxKustomization } from '../../stacks/upstream/kubeflow-build';
import { rendered } from '../support/synth';
import { parseManifestStream } from '../../stacks/pulumi/manifest-group';
import { recordResources, Registered, settled as settledOf } from '../support/pulumi-mocks';

/** Kubeflow in the Pulumi program, with the engine mocked and a stand-in for kustomize; the real build and engine run in test:pulumi. */
const registered = recordResources('staging');

const obj = (apiVersion: string, kind: string, name: string, namespace?: string, extra: Record<string, unknown> = {}): ManifestObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace !== undefined ? { namespace } : {}), ...((extra.labels as Record<string, string> | undefined) !== undefined ? { labels: extra.labels as Record<string, string> } : {}) },
  ...(extra.spec !== undefined ? { spec: extra.spec } : {}),
});
const crd = (group: string, kind: string): ManifestObject => obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', `${kind.toLowerCase()}s.${group}`, undefined, { spec: { group, names: { kind }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true }] } });

/** What kustomize would build, in small: every Kustomization a ConfigMap, and the kinds that test each step. */
function fakeObjects(name: string): ManifestObject[] {
  const objs = [obj('v1', 'ConfigMap', `${name}-config`, 'kubeflow')];
  if (name === 'kf-namespace') objs.push(obj('v1', 'Namespace', 'kubeflow'), obj('v1', 'Namespace', 'kubeflow-system', undefined, { labels: { 'istio-injection': 'enabled', 'pod-security.kubernetes.io/enforce': 'baseline' } }));
  if (name === 'kf-istio-1') objs.push(crd('networking.istio.io', 'Gateway'), crd('security.istio.io', 'AuthorizationPolicy'));
  if (name === 'kf-istio-2') objs.push(obj('v1', 'Namespace', 'istio-system'));
  if (name === 'kf-istio-3') objs.push(obj('apps/v1', 'Deployment', 'istiod', 'istio-system'), obj('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'istio-sidecar-injector'));
  if (name === 'kf-base-2') objs.push(obj('networking.istio.io/v1alpha3', 'Gateway', 'kubeflow-gateway', 'kubeflow'));
  if (name === 'kf-profiles') objs.push(crd('kubeflow.org', 'Profile'));
  if (name === 'kf-poddefaults') objs.push(crd('kubeflow.org', 'PodDefault'), obj('cert-manager.io/v1', 'Certificate', 'admission-webhook-cert', 'kubeflow'), obj('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'poddefaults'));
  return objs;
}
const builds: string[][] = [];
const fakeBuild: KubeflowBuilder = (ks) => {
  builds.push(ks.map((k) => k.metadata.name));
  return new Map(ks.map((k) => [k.metadata.name, fakeObjects(k.metadata.name)] as const));
};

const settled = (): Promise<void> => settledOf(registered);

const ENV = 'staging';
const spec = loadEnvironment(ENV);
const plans = planEnvironment(spec);
const primary = plans.find((p) => p.cluster.role === 'primary')!;
const kubeflowPlan = primary.kubeflow as KubeflowPlan;

describe('planKubeflow (pure)', () => {
  it('plans Kubeflow on the primary cluster only', () => {
    expect(plans.filter((p) => p.kubeflow !== undefined).map((p) => p.cluster.name)).toEqual(spec.clusters.filter((c) => c.role === 'primary').map((c) => c.name));
  });

  it('takes exactly the Flux Kustomizations of the Kubeflow source the cdk8s output holds, in an order that respects dependsOn', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      for (const c of rendered(env)) {
        const flux = c.files.flatMap((f) => f.objects).filter((o) => isFluxKustomization(o) && (o.spec as { sourceRef: { name: string } }).sourceRef.name === KUBEFLOW_SOURCE);
        const plan = planEnvironment(loadEnvironment(env)).find((p) => p.cluster.name === c.cluster.name)!;
        expect(plan.kubeflow?.kustomizations ?? []).toEqual(flux);
        const seen = new Set<string>();
        for (const k of plan.kubeflow?.kustomizations ?? []) {
          for (const d of k.spec.dependsOn ?? []) expect(seen.has(d.name)).toBe(true);
          seen.add(k.metadata.name);
        }
      }
    }
    expect(kubeflowPlan.kustomizations.map((k) => k.spec.path.replace(/^\.\//, ''))).toEqual(KUBEFLOW_PARTS.flatMap((p) => p.paths));
  });

  it("moves the platform's objects of Kubeflow kinds (team Profiles, PodDefaults) out of the platform objects, to after the install", () => {
    const synth = rendered(ENV).find((c) => c.cluster.name === primary.cluster.name)!.files.flatMap((f) => f.objects);
    const expected = synth.filter((o) => ['kubeflow.org/v1', 'kubeflow.org/v1alpha1'].includes(o.apiVersion)).map(objectKey).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(kubeflowPlan.resources.map(objectKey).sort()).toEqual(expected);
    expect(primary.platformObjects.filter((o) => o.apiVersion.startsWith('kubeflow.org/'))).toEqual([]);
  });

  it('puts the model registry in the kubeflow namespace (upstream leaves it to kubectl apply -n kubeflow)', () => {
    const registry = kubeflowPlan.kustomizations.filter((k) => k.metadata.name.startsWith('kf-model-registry'));
    expect(registry.map((k) => k.spec.targetNamespace)).toEqual(['kubeflow', 'kubeflow']);
    expect(kubeflowPlan.kustomizations.filter((k) => k.spec.targetNamespace !== undefined)).toHaveLength(2);
  });
});

describe('splitKubeflowBuild (pure)', () => {
  const built = new Map(kubeflowPlan.kustomizations.map((k) => [k.metadata.name, fakeObjects(k.metadata.name)] as const));
  const platformKeys = new Set([...primary.namespaces, ...primary.platformObjects].map(objectKey));
  const addons = new Set(primary.releases.map((r) => r.addon.id));
  const split = splitKubeflowBuild(kubeflowPlan, built, { platformKeys, addons });
  const byName = (n: string) => split.kustomizations.find((k) => k.name === n)!;
  const names = (objs: readonly ManifestObject[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`);

  it('applies CRDs and Namespaces first, then built-in kinds, and objects of CRD kinds as custom resources', () => {
    expect(names(byName('kf-istio-1').first)).toEqual(['CustomResourceDefinition/gateways.networking.istio.io', 'CustomResourceDefinition/authorizationpolicys.security.istio.io']);
    expect(names(byName('kf-istio-3').objects)).toEqual(['ConfigMap/kf-istio-3-config', 'Deployment/istiod', 'MutatingWebhookConfiguration/istio-sidecar-injector']);
    expect(names(byName('kf-base-2').customResources)).toEqual(['Gateway/kubeflow-gateway']);
    expect(byName('kf-base-2').addons).toEqual([]);
  });

  it('makes custom resources of an add-on CRD wait for that release (cert-manager)', () => {
    expect(names(byName('kf-poddefaults').customResources)).toEqual(['Certificate/admission-webhook-cert']);
    expect(byName('kf-poddefaults').addons).toEqual(['cert-manager']);
  });

  it('keeps each Kustomization waiting for the ones it depends on', () => {
    for (const k of kubeflowPlan.kustomizations) expect(byName(k.metadata.name).dependsOn).toEqual((k.spec.dependsOn ?? []).map((d) => d.name));
    expect(split.kustomizations.map((k) => k.name)).toEqual(kubeflowPlan.kustomizations.map((k) => k.metadata.name));
  });

  it('leaves an object the platform delivers too to the platform (the kubeflow-system Namespace)', () => {
    expect(split.shared.map(objectKey)).toEqual(['|Namespace||kubeflow-system']);
    expect(names(byName('kf-namespace').first)).toEqual(['Namespace/kubeflow']);
  });

  it('leaves out the webhook configurations only when told (kubeflowWebhooks: false), and says which', () => {
    expect(split.kustomizations.flatMap((k) => k.leftOut)).toEqual([]);
    const without = splitKubeflowBuild(kubeflowPlan, built, { platformKeys, addons, webhooks: false });
    expect(without.kustomizations.flatMap((k) => names(k.leftOut))).toEqual(['MutatingWebhookConfiguration/istio-sidecar-injector', 'ValidatingWebhookConfiguration/poddefaults']);
    expect(without.kustomizations.flatMap((k) => [...k.first, ...k.objects, ...k.customResources]).filter((o) => o.kind.endsWith('WebhookConfiguration'))).toEqual([]);
    expect(parseKubeflowWebhooks(undefined)).toBe(true);
    expect(parseKubeflowWebhooks('false')).toBe(false);
    expect(() => parseKubeflowWebhooks('no')).toThrow(/kubeflowWebhooks must be true or false/);
  });

  it('refuses what a fresh cluster would refuse: an object of a CRD nothing before it brings, the same object twice', () => {
    const orphan = new Map(built);
    orphan.set('kf-namespace', [...fakeObjects('kf-namespace'), obj('security.istio.io/v1', 'AuthorizationPolicy', 'too-early', 'kubeflow')]);
    expect(() => splitKubeflowBuild(kubeflowPlan, orphan, { platformKeys, addons })).toThrow(/kf-namespace: security.istio.io\|AuthorizationPolicy\|kubeflow\|too-early is of a CRD group \(security.istio.io\) that neither it/);
    const noCertManager = new Set([...addons].filter((a) => a !== 'cert-manager'));
    expect(() => splitKubeflowBuild(kubeflowPlan, built, { platformKeys, addons: noCertManager })).toThrow(/kf-poddefaults: cert-manager.io\|Certificate/);
    const twice = new Map(built);
    twice.set('kf-auth-1', [...fakeObjects('kf-auth-1'), obj('v1', 'ConfigMap', 'kf-namespace-config', 'kubeflow')]);
    expect(() => splitKubeflowBuild(kubeflowPlan, twice, { platformKeys, addons })).toThrow(/kf-auth-1: \|ConfigMap\|kubeflow\|kf-namespace-config is built by an earlier Kustomization too/);
    expect(() => splitKubeflowBuild(kubeflowPlan, new Map(), { platformKeys, addons })).toThrow(/Kustomization kf-namespace was not built/);
  });

  it('applies cluster-scoped custom resources without a namespace, aggregated ClusterRoles and empty rule lists without rules (what the API server keeps)', () => {
    const decorator = obj('metacontroller.k8s.io/v1alpha1', 'DecoratorController', 'profile-controller', 'kubeflow');
    const scoped = new Set(['metacontroller.k8s.io/DecoratorController']);
    expect(asApplied(decorator, scoped).metadata).toEqual({ name: 'profile-controller' });
    expect(asApplied(obj('v1', 'ConfigMap', 'c', 'kubeflow'), scoped).metadata.namespace).toBe('kubeflow');
    const aggregated: ManifestObject = { ...obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'kubeflow-view'), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] }, rules: [] };
    expect(asApplied(aggregated, scoped)).toEqual({ apiVersion: aggregated.apiVersion, kind: 'ClusterRole', metadata: aggregated.metadata, aggregationRule: aggregated.aggregationRule });
    const plain: ManifestObject = { ...obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'reader'), rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] };
    expect(asApplied(plain, scoped)).toBe(plain);
    const empty: ManifestObject = { ...obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'notebook-ui-admin'), rules: [] };
    expect('rules' in asApplied(empty, scoped)).toBe(false);
    expect([...clusterScopedCrdKinds([{ ...crd('kubeflow.org', 'Profile'), spec: { group: 'kubeflow.org', scope: 'Cluster', names: { kind: 'Profile' } } }, crd('kubeflow.org', 'PodDefault')])]).toEqual(['kubeflow.org/Profile']);
  });

  it("merges a shared object's labels and annotations beneath the platform's own", () => {
    const platform = obj('v1', 'Namespace', 'kubeflow-system', undefined, { labels: { 'pod-security.kubernetes.io/enforce': 'restricted', team: 'platform' } });
    const installed = obj('v1', 'Namespace', 'kubeflow-system', undefined, { labels: { 'pod-security.kubernetes.io/enforce': 'baseline', 'istio-injection': 'enabled' } });
    expect(withSharedMetadata(platform, installed).metadata.labels).toEqual({ 'pod-security.kubernetes.io/enforce': 'restricted', team: 'platform', 'istio-injection': 'enabled' });
  });
});

describe('build settings', () => {
  it('fails naming the stack setting when kustomize or the manifests are not given', () => {
    expect(() => kubeflowBuildSettings({}, {})).toThrow(/set the stack setting kustomize to a kustomize v5 binary/);
    expect(() => kubeflowBuildSettings({ kustomize: '/bin/kustomize' }, {})).toThrow(new RegExp(`set the stack setting kubeflowManifests .* kubeflow/manifests at ${KUBEFLOW_MANIFESTS.tag} in ${KUBEFLOW_MANIFESTS.tag}/ and argoproj/argo-workflows at v3\\.7\\.3 in argo-workflows-v3\\.7\\.3/`));
    expect(kubeflowBuildSettings({}, { KUSTOMIZE: '/k', HML_KUBEFLOW_MANIFESTS: '/m' })).toEqual({ kustomize: '/k', manifestsDir: '/m' });
    expect(kubeflowBuildSettings({ kustomize: '/a', manifestsDir: '/b' }, { KUSTOMIZE: '/k', HML_KUBEFLOW_MANIFESTS: '/m' })).toEqual({ kustomize: '/a', manifestsDir: '/b' });
  });

  it('builds nothing where Kubeflow does not run (a burst cluster needs neither setting)', () => {
    const burst = plans.find((p) => p.cluster.role !== 'primary')!;
    expect(withKubeflow(burst, {})).toEqual({ plan: burst });
  });
});

describe('KubeflowInstall component (mocked engine)', () => {
  beforeAll(async () => {
    const { deployEnvironment } = await import('../../stacks/pulumi/program');
    deployEnvironment(ENV, {}, { mode: 'helm' }, { build: fakeBuild, webhooks: false });
    await settled();
  }, 60000);

  // Not the kubeflow-trainer release: the component and what it makes, per Kustomization and after them.
  const ofInstall = (cluster: string) => (r: Registered) => r.name === `${cluster}-kubeflow` || r.name.startsWith(`${cluster}-kubeflow-kf-`) || r.name.startsWith(`${cluster}-kubeflow-platform-resources`);
  const mine = () => registered.filter(ofInstall(primary.cluster.name));

  it('builds once per program run, every Kustomization of the primary', () => {
    expect(builds).toEqual([kubeflowPlan.kustomizations.map((k) => k.metadata.name)]);
  });

  it('is one component per primary cluster', () => {
    expect(registered.filter((r) => r.type === 'hybrid-ml-platform:stacks:KubeflowInstall').map((r) => r.name)).toEqual([`${primary.cluster.name}-kubeflow`]);
  });

  it('applies everything built (less the shared Namespace and the webhooks left out) and the platform Profiles/PodDefaults after it', () => {
    const groups = mine().filter((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup');
    const custom = mine().filter((r) => r.type.startsWith('kubernetes:') && !r.type.startsWith('kubernetes:yaml/'));
    const applied = [...groups.flatMap((g) => parseManifestStream(g.inputs.yaml as string)), ...custom.map((r) => r.inputs as unknown as ManifestObject)].map(objectKey).sort();
    const expected = [
      ...kubeflowPlan.kustomizations.flatMap((k) => fakeObjects(k.metadata.name)).filter((o) => !o.kind.endsWith('WebhookConfiguration') && o.metadata.name !== 'kubeflow-system'),
      ...kubeflowPlan.resources,
    ].map(objectKey).sort();
    expect(applied).toEqual(expected);
    expect(groups.map((g) => g.name)).toContain(`${primary.cluster.name}-kubeflow-kf-istio-1-crds-namespaces`);
    expect(groups.map((g) => g.name)).toContain(`${primary.cluster.name}-kubeflow-kf-istio-3-objects`);
    expect(registered.filter((r) => r.type === 'hybrid-ml-platform:stacks:CustomResources').map((r) => r.name)).toEqual(
      expect.arrayContaining([`${primary.cluster.name}-kubeflow-kf-base-2-resources`, `${primary.cluster.name}-kubeflow-kf-poddefaults-resources`, `${primary.cluster.name}-kubeflow-platform-resources`]),
    );
  });

  it("gives the platform's kubeflow-system Namespace the install's labels, its own winning", () => {
    const ns = parseManifestStream(registered.find((r) => r.name === `${primary.cluster.name}-namespaces`)!.inputs.yaml as string);
    const kfSystem = ns.find((o) => o.metadata.name === 'kubeflow-system')!;
    const platformOwn = primary.namespaces.find((o) => o.metadata.name === 'kubeflow-system')!;
    expect(kfSystem.metadata.labels).toEqual({ 'istio-injection': 'enabled', ...platformOwn.metadata.labels });
    expect(kfSystem.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe(platformOwn.metadata.labels?.['pod-security.kubernetes.io/enforce']);
  });

  it('creates nothing of Kubeflow on the burst cluster', () => {
    for (const p of plans.filter((x) => x.kubeflow === undefined)) expect(registered.filter(ofInstall(p.cluster.name))).toEqual([]);
  });
});
