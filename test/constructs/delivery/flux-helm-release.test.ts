import { Testing } from 'cdk8s';
import { addon, GITOPS } from '../../../constructs/catalog';
import { FluxHelmRelease } from '../../../constructs/delivery/flux-helm-release';
import { testChart } from '../../support/test-chart';

function synth(id: string, dependsOn: string[] = [], chartMirror?: string) {
  const chart = testChart();
  new FluxHelmRelease(chart, 'r', { addon: addon(id), values: { a: 1 }, dependsOn, chartMirror });
  return Testing.synth(chart);
}

describe('FluxHelmRelease', () => {
  it('pins the chart version from the catalog and targets the add-on namespace', () => {
    const [repo, release] = synth('cert-manager');
    expect(repo).toMatchObject({ kind: 'HelmRepository', apiVersion: GITOPS.sourceApiVersion, spec: { url: 'https://charts.jetstack.io' } });
    expect(repo.spec.type).toBeUndefined();
    expect(release.spec).toMatchObject({ targetNamespace: 'cert-manager', chart: { spec: { chart: 'cert-manager', version: 'v1.21.1', sourceRef: { kind: 'HelmRepository', name: 'cert-manager' } } }, values: { a: 1 }, install: { crds: 'CreateReplace' } });
  });

  it('uses an OCI HelmRepository for OCI charts', () => {
    const [repo] = synth('kueue');
    expect(repo.spec).toMatchObject({ url: 'oci://registry.k8s.io/kueue/charts', type: 'oci' });
  });

  it('pulls from the chart mirror when the spec names one, OCI or not', () => {
    const [oci, ociRelease] = synth('cert-manager', [], 'oci://harbor.example.com/charts');
    expect(oci.spec).toMatchObject({ url: 'oci://harbor.example.com/charts', type: 'oci' });
    expect(ociRelease.spec.chart.spec).toMatchObject({ chart: 'cert-manager', version: 'v1.21.1' });
    const [https] = synth('kueue', [], 'https://charts.example.com/ml');
    expect(https.spec.url).toBe('https://charts.example.com/ml');
    expect(https.spec.type).toBeUndefined();
  });

  it('leaves out the hooks of an add-on whose catalog entry says why', () => {
    const [, release] = synth('policy-controller');
    expect(addon('policy-controller').hooks?.reason).toMatch(/floating tag/);
    for (const phase of ['install', 'upgrade', 'rollback', 'uninstall']) expect(release.spec[phase]).toMatchObject({ disableHooks: true });
    expect(synth('cert-manager')[1].spec.install.disableHooks).toBeUndefined();
  });

  it('orders releases with dependsOn', () => {
    expect(synth('gpu-operator', ['node-feature-discovery'])[1].spec.dependsOn).toEqual([{ name: 'node-feature-discovery' }]);
    expect(synth('cert-manager')[1].spec.dependsOn).toBeUndefined();
  });
});
