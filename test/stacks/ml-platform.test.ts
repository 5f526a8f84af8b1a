import { App } from 'cdk8s';
import { loadEnvironment, parseSpec } from '../../environments';
import { dev } from '../../environments/dev';
import { addonsFor, selectAddons } from '../../stacks/addon-selection';
import { ManifestObject } from '../../stacks/manifests';
import { MlPlatform } from '../../stacks/ml-platform';

function objects(env: string, cluster: string, delivery?: 'flux' | 'external'): ManifestObject[] {
  const spec = loadEnvironment(env);
  const chart = new MlPlatform(new App(), cluster, { spec, cluster: spec.clusters.find((c) => c.name === cluster)!, addonDelivery: delivery });
  return chart.toJson() as ManifestObject[];
}

describe('MlPlatform', () => {
  it('creates a workflow namespace per team and stage on the primary', () => {
    const ns = objects('staging', 'onprem-dc1').filter((o) => o.kind === 'Namespace' && o.metadata.labels?.['ml.platform/team']).map((o) => o.metadata.name);
    expect(ns).toEqual(['vision-data-prep', 'vision-training', 'vision-serving', 'vision-monitoring', 'nlp-data-prep', 'nlp-training', 'nlp-serving', 'nlp-monitoring']);
  });

  it('gives burst clusters only the training stage', () => {
    const ns = objects('prod', 'aws-usw2').filter((o) => o.kind === 'Namespace' && o.metadata.labels?.['ml.platform/team']).map((o) => o.metadata.name);
    expect(ns).toEqual(['search-training', 'ads-training', 'risk-training']);
  });

  it('delivers every enabled add-on through Flux, and none when delivery is external', () => {
    const releases = objects('dev', 'local').filter((o) => o.kind === 'HelmRelease').map((o) => o.metadata.name);
    const spec = loadEnvironment('dev');
    expect(releases).toEqual(addonsFor(spec, spec.clusters[0]).map((a) => a.id));
    expect(releases).not.toContain('harbor');
    expect(objects('dev', 'local', 'external').filter((o) => o.kind === 'HelmRelease' || o.metadata.name === 'flux-system')).toEqual([]);
  });

  it('makes add-on namespaces privileged only where the catalog says why', () => {
    const gpuNs = objects('prod', 'onprem-h100').find((o) => o.kind === 'Namespace' && o.metadata.name === 'gpu-operator')!;
    expect(gpuNs.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(gpuNs.metadata.annotations?.['ml.platform/pod-security-reason']).toMatch(/driver/);
  });

  it('lets the GPU operator install drivers on-prem but not on cloud images', () => {
    const driver = (env: string, cluster: string) => (objects(env, cluster).find((o) => o.kind === 'HelmRelease' && o.metadata.name === 'gpu-operator') as unknown as { spec: { values: { driver: { enabled: boolean } } } }).spec.values.driver.enabled;
    expect(driver('prod', 'onprem-h100')).toBe(true);
    expect(driver('prod', 'aws-usw2')).toBe(false);
  });

  it('turned-off components are not delivered, and a missing dependency is a clear error', () => {
    const spec = parseSpec({ ...dev, components: { trivyOperator: false } });
    expect(selectAddons(spec).map((a) => a.id)).not.toContain('trivy-operator');
    expect(() => selectAddons(parseSpec({ ...dev, components: { gpuOperator: false } }))).toThrow(/dev: components\.dcgmExporter needs components\.gpuOperator \(dcgm-exporter depends on gpu-operator\)/);
  });
});
