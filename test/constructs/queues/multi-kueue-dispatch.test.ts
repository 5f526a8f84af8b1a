import { Testing } from 'cdk8s';
import { MultiKueueDispatch } from '../../../constructs/queues/multi-kueue-dispatch';
import { dig } from '../../support/dig';
import { testChart } from '../../support/test-chart';

describe('MultiKueueDispatch', () => {
  const chart = testChart();
  new MultiKueueDispatch(chart, 'mk', { clusters: [{ name: 'aws-1', kubeconfigSecret: 'multikueue-aws-1' }, { name: 'azure-1', kubeconfigSecret: 'multikueue-azure-1' }] });
  const objs = Testing.synth(chart);

  it('links AdmissionCheck -> MultiKueueConfig -> MultiKueueClusters by name', () => {
    const check = objs.find((o) => o.kind === 'AdmissionCheck');
    expect(dig(check, 'spec')).toEqual({ controllerName: 'kueue.x-k8s.io/multikueue', parameters: { apiGroup: 'kueue.x-k8s.io', kind: 'MultiKueueConfig', name: 'burst-clusters' } });
    expect(dig(objs.find((o) => o.kind === 'MultiKueueConfig'), 'spec.clusters')).toEqual(['aws-1', 'azure-1']);
    expect(objs.filter((o) => o.kind === 'MultiKueueCluster').map((o) => o.metadata.name)).toEqual(['aws-1', 'azure-1']);
  });

  it('references kubeconfig Secrets by name and never writes one', () => {
    expect(objs.some((o) => o.kind === 'Secret')).toBe(false);
    expect(dig(objs.find((o) => o.kind === 'MultiKueueCluster'), 'spec.clusterSource.kubeConfig')).toEqual({ location: 'multikueue-aws-1', locationType: 'Secret' });
  });
});
