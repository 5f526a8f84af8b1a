import { Testing } from 'cdk8s';
import { stageNetworkFlows } from '../../../constructs/tenancy/network-flows';
import { STAGE_SERVICE_ACCOUNT, WorkflowNamespace } from '../../../constructs/tenancy/workflow-namespace';
import { StageQuota } from '../../../environments';
import { testChart } from '../../support/test-chart';

const quota: StageQuota = { cpu: 8, memoryGiB: 32, gpu: 4, sharedGpu: 2, storageGiB: 200, maxPods: 30 };

function synth(stage: 'data-prep' | 'training' | 'serving' | 'monitoring', extra: Partial<{ imagePullSecret: string; objectStoreCidrs: string[] }> = {}) {
  const chart = testChart();
  new WorkflowNamespace(chart, 'ns', {
    team: 'vision', stage, costCenter: 'cc-1', quota, podSecurityVersion: 'v1.34', imagePullSecret: extra.imagePullSecret,
    flows: stageNetworkFlows({ team: 'vision', stage, stages: ['data-prep', 'training', 'serving', 'monitoring'], objectStoreCidrs: extra.objectStoreCidrs ?? [], metricsPorts: [8080] }),
  });
  return Testing.synth(chart) as { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: unknown }[];
}

describe('WorkflowNamespace', () => {
  it('pins restricted Pod Security for enforce, audit and warn', () => {
    const ns = synth('training').find((o) => o.kind === 'Namespace')!;
    expect(ns.metadata.name).toBe('vision-training');
    expect(ns.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.34',
      'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted',
    });
  });

  it('sets a quota with GPU lines from the stage budget', () => {
    const q = synth('training').find((o) => o.kind === 'ResourceQuota') as { spec: { hard: Record<string, string> } } | undefined;
    expect(q?.spec.hard).toMatchObject({ 'requests.cpu': '8', 'limits.cpu': '16', 'requests.memory': '32Gi', 'requests.nvidia.com/gpu': '4', 'requests.nvidia.com/gpu.shared': '2', 'requests.storage': '200Gi', pods: '30', 'services.loadbalancers': '0' });
  });

  it('gives containers default requests and limits and caps them at the namespace budget', () => {
    const lr = synth('training').find((o) => o.kind === 'LimitRange') as unknown as { spec: { limits: Record<string, unknown>[] } };
    expect(lr.spec.limits[0]).toMatchObject({ type: 'Container', defaultRequest: { cpu: '100m', memory: '256Mi' }, max: { cpu: '16', memory: '32Gi' } });
  });

  it('denies all traffic by default and adds only the stage flows', () => {
    const names = synth('serving').filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name);
    expect(names).toEqual(['default-deny', 'allow-dns', 'allow-metrics-scrape', 'allow-same-namespace', 'allow-same-namespace-egress', 'allow-gateway-ingress', 'allow-payload-logging']);
    expect(synth('data-prep').filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name)).not.toContain('allow-gateway-ingress');
  });

  it('opens object storage on 443 only to data-prep and training', () => {
    const cidrs = ['10.0.0.0/16'];
    const egress = synth('training', { objectStoreCidrs: cidrs }).find((o) => o.metadata.name === 'allow-object-store') as unknown as { spec: { egress: unknown[] } };
    expect(egress.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ protocol: 'TCP', port: 443 }] }]);
    expect(synth('serving', { objectStoreCidrs: cidrs }).some((o) => o.metadata.name === 'allow-object-store')).toBe(false);
  });

  it('runs workloads as a service account without an API token, pull secret referenced by name', () => {
    const sa = synth('serving', { imagePullSecret: 'pull' }).find((o) => o.kind === 'ServiceAccount') as Record<string, unknown>;
    expect(sa).toMatchObject({ metadata: { name: STAGE_SERVICE_ACCOUNT }, automountServiceAccountToken: false, imagePullSecrets: [{ name: 'pull' }] });
  });

  it('labels every object with team, stage and cost center', () => {
    for (const o of synth('monitoring')) expect(o.metadata.labels).toMatchObject({ 'ml.platform/team': 'vision', 'ml.platform/stage': 'monitoring', 'ml.platform/cost-center': 'cc-1' });
  });
});
