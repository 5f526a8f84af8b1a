import { Testing } from 'cdk8s';
import { KUBEFLOW_MANIFESTS } from '../../../constructs/catalog';
import { Kubeflow, kubeflowParts } from '../../../constructs/kubeflow/kubeflow';
import { KubeflowSpec } from '../../../environments/kubeflow-schema';
import { dig } from '../../support/dig';
import { CrdValidator } from '../../support/crd-validator';
import { testChart } from '../../support/test-chart';

function render(spec: KubeflowSpec, mirrorHost?: string) {
  const chart = testChart();
  new Kubeflow(chart, 'kf', { spec, podSecurityVersion: 'v1.34', mirrorHost });
  return Testing.synth(chart);
}

const all: KubeflowSpec = { components: ['dashboard', 'notebooks', 'pipelines', 'trainer', 'katib', 'kserve', 'model-registry'], notebookIdleMinutes: 45 };

describe('Kubeflow', () => {
  it('pins the Kubeflow manifests release', () => {
    const [source] = render(all);
    expect(source).toMatchObject({ kind: 'GitRepository', spec: { url: KUBEFLOW_MANIFESTS.url, ref: { tag: KUBEFLOW_MANIFESTS.tag } } });
  });

  it('delivers only the parts of the chosen components, each after the parts it needs', () => {
    const objs = render({ components: ['notebooks'], notebookIdleMinutes: 60 });
    const names = objs.filter((o) => o.kind === 'Kustomization').map((o) => o.metadata.name);
    expect(names).toEqual(['kf-namespace', 'kf-istio-1', 'kf-istio-2', 'kf-istio-3', 'kf-auth-1', 'kf-auth-2', 'kf-base-1', 'kf-base-2', 'kf-profiles', 'kf-poddefaults', 'kf-notebooks-1', 'kf-notebooks-2']);
    const known = new Set(names);
    for (const k of objs.filter((o) => o.kind === 'Kustomization')) for (const d of (k.spec.dependsOn ?? []) as { name: string }[]) expect(known.has(d.name)).toBe(true);
    expect(objs.find((o) => o.metadata.name === 'kf-profiles')?.spec.dependsOn).toEqual([{ name: 'kf-base-1' }, { name: 'kf-base-2' }]);
    expect(kubeflowParts({ components: [], notebookIdleMinutes: 60 }).map((p) => p.id)).toEqual(['kf-namespace', 'kf-istio', 'kf-auth', 'kf-base', 'kf-profiles', 'kf-poddefaults']);
  });

  it("delivers a part's paths one after the other (the Istio install needs its namespace and CRDs)", () => {
    const objs = render(all);
    const deps = (name: string) => (objs.find((o) => o.metadata.name === name)?.spec.dependsOn as { name: string }[] | undefined)?.map((d) => d.name);
    expect(deps('kf-istio-1')).toEqual(['kf-namespace']);
    expect(deps('kf-istio-3')).toEqual(['kf-namespace', 'kf-istio-2']);
    expect(deps('kf-notebooks-2')).toEqual(['kf-profiles', 'kf-notebooks-1']);
  });

  it("patches only the path that holds the patch's target", () => {
    const objs = render(all);
    expect(objs.find((o) => o.metadata.name === 'kf-notebooks-2')?.spec.patches).toBeUndefined();
  });

  it("pins Pipelines' cache image always, and behind a mirror redirects the images Pipelines and Argo start from configuration", () => {
    const patches = (mirror?: string) => ((render(all, mirror).find((o) => o.metadata.name === 'kf-pipelines')?.spec.patches ?? []) as { patch: string }[]).map((p) => JSON.parse(p.patch) as { path: string; value: unknown }[]);
    expect(patches()).toEqual([[{ op: 'replace', path: '/data/cacheImage', value: 'ghcr.io/containerd/busybox:1.36' }]]);
    const mirrored = patches('harbor.example.com').flat();
    expect(mirrored.map((op) => op.value)).toEqual(expect.arrayContaining(['harbor.example.com/ghcr-io/kubeflow/kfp-driver:2.16.0', 'harbor.example.com/quay-io/argoproj/argoexec:v3.7.3', 'harbor.example.com/ghcr-io/containerd/busybox:1.36', { name: 'FRONTEND_IMAGE', value: 'harbor.example.com/ghcr-io/kubeflow/kfp-frontend' }]));
  });

  it('turns notebook culling on with the spec idle time', () => {
    const nb = render(all).find((o) => o.metadata.name === 'kf-notebooks-1')!;
    expect(JSON.parse(String(dig(nb, 'spec.patches.0.patch')))).toEqual([
      { op: 'add', path: '/data/ENABLE_CULLING', value: 'true' },
      { op: 'add', path: '/data/CULL_IDLE_TIME', value: '45' },
      { op: 'add', path: '/data/IDLENESS_CHECK_PERIOD', value: '5' },
    ]);
  });

  it('keeps profile namespaces at restricted Pod Security', () => {
    const patch = JSON.parse(String(dig(render(all).find((o) => o.metadata.name === 'kf-profiles'), 'spec.patches.0.patch'))) as { value: string }[];
    expect(patch[0].value).toMatch(/pod-security.kubernetes.io\/enforce: "restricted"/);
  });

  it('redirects every Kubeflow image to the mirror when asked', () => {
    const katib = render(all, 'harbor.example.com').find((o) => o.metadata.name === 'kf-katib')!;
    expect(dig(katib, 'spec.images.0')).toEqual({ name: 'ghcr.io/kubeflow/katib/katib-controller', newName: 'harbor.example.com/ghcr-io/kubeflow/katib/katib-controller' });
    expect(render(all).find((o) => o.metadata.name === 'kf-katib')?.spec.images).toBeUndefined();
  });

  it('validates against the Flux CRDs', () => {
    const crds = new CrdValidator();
    for (const o of render(all, 'm.example.com')) expect(crds.validate(o)).toEqual([]);
  });
});
