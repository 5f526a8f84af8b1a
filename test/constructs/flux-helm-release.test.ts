import { Testing } from 'cdk8s';
import { addon, GITOPS } from '../../constructs/catalog';
import { FluxHelmRelease } from '../../constructs/flux-helm-release';

function synth(id: string, dependsOn: string[] = []) {
  const chart = Testing.chart();
  new FluxHelmRelease(chart, 'r', { addon: addon(id), values: { a: 1 }, dependsOn });
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

  it('orders releases with dependsOn', () => {
    expect(synth('gpu-operator', ['node-feature-discovery'])[1].spec.dependsOn).toEqual([{ name: 'node-feature-discovery' }]);
    expect(synth('cert-manager')[1].spec.dependsOn).toBeUndefined();
  });
});
