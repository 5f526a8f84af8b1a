import { Testing } from 'cdk8s';
import { GpuNodePool, poolSelectorLabels } from '../../../constructs/gpu/gpu-node-pool';
import { GPU_TAINT } from '../../../constructs/gpu/gpu-scheduling';
import { ClusterSpec, GpuPoolSpec } from '../../../environments';
import { dig } from '../../support/dig';
import { testChart } from '../../support/test-chart';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec: Record<string, unknown> };

const pool = (over: Partial<GpuPoolSpec> = {}): GpuPoolSpec => ({
  name: 'h100', enabled: true, gpuModel: 'H100', gpusPerNode: 8, minNodes: 0, maxNodes: 4, capacityType: 'on-demand', sharing: 'none', gpuAllocation: 'extended-resources', managedBy: 'static', ...over,
});

function render(provider: ClusterSpec['provider'], p: GpuPoolSpec): Obj[] {
  const chart = testChart();
  new GpuNodePool(chart, 'pool', { cluster: { name: 'c1', provider }, pool: p });
  return Testing.synth(chart) as Obj[];
}

describe('GpuNodePool', () => {
  it('aws: Karpenter NodePool + EC2NodeClass with the instance type, capacity type, GPU limit and taint', () => {
    const [np, nc] = render('aws', pool({ capacityType: 'spot' }));
    expect(np).toMatchObject({ apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: 'h100' } });
    expect(dig(np, 'spec.template.spec.requirements')).toEqual(expect.arrayContaining([
      { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p5.48xlarge'] },
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
    ]));
    expect(dig(np, 'spec.template.spec.taints')).toEqual([GPU_TAINT]);
    expect(dig(np, 'spec.template.metadata.labels')).toMatchObject({ 'ml.platform/pool': 'h100', 'ml.platform/gpu-model': 'H100' });
    expect(dig(np, 'spec.limits')).toEqual({ 'nvidia.com/gpu': '32' });
    expect(dig(np, 'spec.disruption.consolidationPolicy')).toBe('WhenEmpty');
    expect(dig(np, 'spec.template.spec.nodeClassRef')).toEqual({ group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'h100' });
    expect(nc).toMatchObject({ kind: 'EC2NodeClass', spec: { role: 'KarpenterNodeRole-c1', metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 } } });
  });

  it('azure: Karpenter NodePool + AKSNodeClass with the AKS-installed driver', () => {
    const [np, nc] = render('azure', pool({ gpuModel: 'A100-80GB' }));
    expect(dig(np, 'spec.template.spec.requirements.0')).toEqual({ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['Standard_ND96amsr_A100_v4'] });
    expect(dig(np, 'spec.template.spec.nodeClassRef.kind')).toBe('AKSNodeClass');
    expect(nc).toMatchObject({ apiVersion: 'karpenter.azure.com/v1beta1', kind: 'AKSNodeClass', spec: { gpu: { mode: 'Driver' } } });
  });

  it('gcp: a ComputeClass with the accelerator priority', () => {
    const [cc] = render('gcp', pool({ gpuModel: 'L4', gpusPerNode: 2, capacityType: 'spot' }));
    expect(cc).toMatchObject({ apiVersion: 'cloud.google.com/v1', kind: 'ComputeClass', spec: { priorities: [{ gpu: { type: 'nvidia-l4', count: 2 }, spot: true }], nodePoolAutoCreation: { enabled: true } } });
    expect(poolSelectorLabels('gcp', pool())).toEqual({ 'cloud.google.com/compute-class': 'h100' });
  });

  it('onprem static: a NodeFeatureRule that labels and taints NVIDIA nodes of the pool', () => {
    const objs = render('onprem', pool({ capacityType: 'static', nodeNamePattern: '^gpu-[0-9]+$', sharing: 'mig', migProfile: '3g.40gb' }));
    expect(objs).toHaveLength(1);
    const rule = dig(objs[0], 'spec.rules.0');
    expect(dig(rule, 'labels')).toEqual({ 'ml.platform/pool': 'h100', 'ml.platform/gpu-model': 'H100', 'nvidia.com/mig.config': 'all-3g.40gb' });
    expect(dig(rule, 'taints')).toEqual([GPU_TAINT]);
    expect(dig(rule, 'matchFeatures')).toEqual([
      { feature: 'pci.device', matchExpressions: { vendor: { op: 'In', value: ['10de'] } } },
      { feature: 'system.name', matchExpressions: { nodename: { op: 'InRegexp', value: ['^gpu-[0-9]+$'] } } },
    ]);
  });

  it('onprem cluster-api: MachineDeployment sized by the pool, a MachineHealthCheck, and the NFD rule on its nodes', () => {
    const capi = { namespace: 'capi', infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'Metal3MachineTemplate', name: 'gpu' }, bootstrapConfigRef: { apiGroup: 'bootstrap.cluster.x-k8s.io', kind: 'KubeadmConfigTemplate', name: 'gpu' } };
    const objs = render('onprem', pool({ capacityType: 'static', managedBy: 'cluster-api', minNodes: 2, maxNodes: 6, clusterApi: capi }));
    const md = objs.find((o) => o.kind === 'MachineDeployment')!;
    expect(md.metadata).toMatchObject({ name: 'c1-h100', namespace: 'capi' });
    expect(md.metadata.annotations).toEqual({ 'cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size': '2', 'cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size': '6' });
    expect(md.spec).toMatchObject({ clusterName: 'c1', replicas: 2, template: { spec: { infrastructureRef: capi.infrastructureRef, bootstrap: { configRef: capi.bootstrapConfigRef } } } });
    expect(dig(objs.find((o) => o.kind === 'MachineHealthCheck')!, 'spec.selector')).toEqual(dig(md, 'spec.selector'));
    expect(dig(objs.find((o) => o.kind === 'NodeFeatureRule')!, 'spec.rules.0.matchFeatures.1.matchExpressions.nodename.value')).toEqual(['^c1-h100-']);
  });

  it('a disabled pool may not grow', () => {
    const [np] = render('aws', pool({ enabled: false }));
    expect(dig(np, 'spec.limits')).toEqual({ 'nvidia.com/gpu': '0' });
  });
});
