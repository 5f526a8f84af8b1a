import { Testing } from 'cdk8s';
import { ServiceMonitor } from '../../../constructs/observability/service-monitor';
import { ADDON_SERVICES, ServiceTarget } from '../../../constructs/observability/scrape-targets';
import { testChart } from '../../support/test-chart';

const target = (id: string): ServiceTarget => ADDON_SERVICES.find((t) => t.id === id)!;

function synth(t: ServiceTarget) {
  const chart = testChart();
  new ServiceMonitor(chart, 'sm', { target: t, namespace: 'monitoring' });
  return Testing.synth(chart)[0] as { kind: string; metadata: { name: string; namespace: string }; spec: { namespaceSelector: unknown; selector: unknown; endpoints: Record<string, unknown>[] } };
}

describe('ServiceMonitor', () => {
  it('lives in the observability namespace and points at the add-on namespace and Service labels', () => {
    const sm = synth(target('trivy-operator'));
    expect(sm).toMatchObject({ kind: 'ServiceMonitor', metadata: { name: 'ml-platform-trivy-operator', namespace: 'monitoring' } });
    expect(sm.spec.namespaceSelector).toEqual({ matchNames: ['trivy-system'] });
    expect(sm.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'trivy-operator', 'app.kubernetes.io/instance': 'trivy-operator' } });
    expect(sm.spec.endpoints[0]).toMatchObject({ port: 'metrics', scheme: 'http', honorLabels: true });
  });

  it('keeps the workload labels of DCGM metrics (not the exporter pod\'s) and adds the node name', () => {
    const ep = synth(target('dcgm-exporter')).spec.endpoints[0];
    expect(ep.honorLabels).toBe(true);
    expect(ep.relabelings).toEqual([
      { action: 'replace', targetLabel: 'ml_platform_target', replacement: 'dcgm-exporter' },
      { action: 'labeldrop', regex: 'namespace|pod|container' },
      { action: 'replace', sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' },
    ]);
  });

  it('scrapes controller-runtime metrics over HTTPS with the service account token', () => {
    const ep = synth(target('kueue')).spec.endpoints[0];
    expect(ep).toMatchObject({ port: 'https', scheme: 'https', bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token', tlsConfig: { insecureSkipVerify: true } });
  });

  it('keeps only the named Service when others share its labels', () => {
    const ep = synth(target('kubeflow-pipelines')).spec.endpoints[0];
    expect(ep.relabelings).toContainEqual({ action: 'keep', sourceLabels: ['__meta_kubernetes_service_name'], regex: 'ml-pipeline' });
  });

  it('refuses a selector label the Service does not have, and a port it does not expose', () => {
    const t = target('opencost');
    expect(() => synth({ ...t, select: { ...t.select, tier: 'cost' } })).toThrow(/scrape target "opencost": select tier=cost is not a label of Service opencost\/opencost/);
    expect(() => synth({ ...t, endpoint: { ...t.endpoint, port: 'metrics' } })).toThrow(/port "metrics" is not a port of Service opencost\/opencost \(ports: http\)/);
  });
});
