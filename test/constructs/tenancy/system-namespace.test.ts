import { Testing } from 'cdk8s';
import { SystemNamespace } from '../../../constructs/tenancy/system-namespace';
import { testChart } from '../../support/test-chart';

describe('SystemNamespace', () => {
  it('is restricted by default and pins the policy version', () => {
    const chart = testChart();
    new SystemNamespace(chart, 'ns', { name: 'kueue-system', security: { level: 'restricted' }, podSecurityVersion: 'v1.35' });
    const [ns] = Testing.synth(chart);
    expect(ns.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.35' });
    expect(ns.metadata.annotations).toBeUndefined();
  });

  it('records why a namespace is privileged', () => {
    const chart = testChart();
    new SystemNamespace(chart, 'ns', { name: 'gpu-operator', security: { level: 'privileged', reason: 'drivers' }, podSecurityVersion: 'v1.35' });
    const [ns] = Testing.synth(chart);
    expect(ns.metadata.annotations).toEqual({ 'ml.platform/pod-security-reason': 'drivers' });
  });

  it('refuses a loosened namespace without a reason', () => {
    expect(() => new SystemNamespace(testChart(), 'ns', { name: 'x', security: { level: 'baseline' }, podSecurityVersion: 'v1.35' })).toThrow(/namespace "x": Pod Security level "baseline" needs a reason/);
  });
});
