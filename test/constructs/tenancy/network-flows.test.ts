import { stageNetworkFlows } from '../../../constructs/tenancy/network-flows';
import { STAGES } from '../../../environments';

const base = { team: 't', stages: [...STAGES], objectStoreCidrs: ['10.0.0.0/8'], metricsPorts: [9090] };

describe('stageNetworkFlows', () => {
  it('always allows DNS and scraping from the observability namespace only', () => {
    for (const stage of STAGES) {
      const flows = stageNetworkFlows({ ...base, stage });
      expect(flows.find((f) => f.name === 'allow-dns')?.ports).toEqual([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
      expect(flows.find((f) => f.name === 'allow-metrics-scrape')).toMatchObject({ direction: 'ingress', peers: [{ kind: 'namespace', namespace: 'monitoring' }], ports: [{ protocol: 'TCP', port: 9090 }] });
    }
  });

  it('lets serving log payloads to monitoring and monitoring receive them, both ways', () => {
    expect(stageNetworkFlows({ ...base, stage: 'serving' }).find((f) => f.name === 'allow-payload-logging')?.peers).toEqual([{ kind: 'namespace', namespace: 't-monitoring' }]);
    expect(stageNetworkFlows({ ...base, stage: 'monitoring' }).find((f) => f.name === 'allow-payload-logging')?.peers).toEqual([{ kind: 'namespace', namespace: 't-serving' }]);
  });

  it('leaves out flows to a stage the cluster does not run', () => {
    expect(stageNetworkFlows({ ...base, stage: 'serving', stages: ['serving'] }).some((f) => f.name === 'allow-payload-logging')).toBe(false);
  });

  it('documents every flow', () => {
    for (const stage of STAGES) for (const f of stageNetworkFlows({ ...base, stage })) expect(f.why.length).toBeGreaterThan(20);
  });
});
