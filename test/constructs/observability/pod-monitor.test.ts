import { Testing } from 'cdk8s';
import { PodMonitor } from '../../../constructs/observability/pod-monitor';
import { ObservedCluster, scrapeTargets } from '../../../constructs/observability/scrape-targets';
import { ComponentName, COMPONENTS } from '../../../environments';
import { testChart } from '../../support/test-chart';

const cluster = (over: Partial<ObservedCluster> = {}): ObservedCluster => ({
  components: Object.fromEntries(COMPONENTS.map((c) => [c, true])) as Record<ComponentName, boolean>,
  role: 'primary',
  stages: ['training', 'serving', 'monitoring'],
  workflowNamespaces: [
    { namespace: 'vision-training', stage: 'training' },
    { namespace: 'vision-serving', stage: 'serving' },
    { namespace: 'vision-monitoring', stage: 'monitoring' },
  ],
  metricsPorts: [8080, 9090, 9091],
  gitops: true,
  ...over,
});

function synth(id: string, c: ObservedCluster = cluster()) {
  const target = scrapeTargets(c).pods.find((p) => p.target.id === id)!;
  const chart = testChart();
  new PodMonitor(chart, 'pm', { target, namespace: 'monitoring' });
  return Testing.synth(chart)[0] as { kind: string; metadata: { name: string }; spec: { namespaceSelector: unknown; selector: unknown; podMetricsEndpoints: Record<string, unknown>[] } };
}

describe('PodMonitor', () => {
  it('scrapes KServe predictors in the serving namespaces on the model server and queue-proxy ports', () => {
    const pm = synth('kserve-inference');
    expect(pm).toMatchObject({ kind: 'PodMonitor', metadata: { name: 'ml-platform-kserve-inference' } });
    expect(pm.spec.namespaceSelector).toEqual({ matchNames: ['vision-serving'] });
    expect(pm.spec.selector).toEqual({ matchExpressions: [{ key: 'serving.kserve.io/inferenceservice', operator: 'Exists' }] });
    expect(pm.spec.podMetricsEndpoints.map((e) => e.portNumber)).toEqual([9091, 8080]);
    // Team workloads are not tagged as platform targets.
    expect(pm.spec.podMetricsEndpoints[0].relabelings).toBeUndefined();
  });

  it('leaves out endpoints on ports the NetworkPolicies do not open', () => {
    expect(synth('kserve-inference', cluster({ metricsPorts: [8080] })).spec.podMetricsEndpoints.map((e) => e.portNumber)).toEqual([8080]);
    expect(scrapeTargets(cluster({ metricsPorts: [9090] })).pods.map((p) => p.target.id)).toEqual(['flux']);
  });

  it('finds drift detectors by label in the monitoring and serving namespaces', () => {
    const pm = synth('drift-detectors');
    expect(pm.spec.namespaceSelector).toEqual({ matchNames: ['vision-serving', 'vision-monitoring'] });
    expect(pm.spec.selector).toEqual({ matchLabels: { 'ml.platform/drift-detector': 'true' } });
  });

  it('scrapes the Flux controllers by their http-prom port, tagged as a platform target', () => {
    const ep = synth('flux').spec.podMetricsEndpoints[0];
    expect(ep).toMatchObject({ port: 'http-prom', relabelings: [{ action: 'replace', targetLabel: 'ml_platform_target', replacement: 'flux' }] });
    expect(scrapeTargets(cluster({ gitops: false })).pods.map((p) => p.target.id)).not.toContain('flux');
  });

  it('refuses a target without namespaces or endpoints', () => {
    const target = scrapeTargets(cluster()).pods.find((p) => p.target.id === 'kserve-inference')!;
    expect(() => new PodMonitor(testChart(), 'a', { target: { ...target, namespaces: [] }, namespace: 'monitoring' })).toThrow(/"kserve-inference": no namespace to scrape/);
    expect(() => new PodMonitor(testChart(), 'b', { target: { ...target, endpoints: [] }, namespace: 'monitoring' })).toThrow(/no endpoint left \(are its ports in network.metricsPorts\?\)/);
  });
});
