import { Testing } from 'cdk8s';
import { KueueQueues } from '../../../constructs/queues/kueue-queues';
import { BURST_QUEUE, CPU_FLAVOR, LOCAL_QUEUE, MULTIKUEUE_CHECK, planQueues } from '../../../constructs/queues/queue-plan';
import { clusterStages, loadEnvironment, poolDevices } from '../../../environments';
import { ManifestObject } from '../../../stacks/manifests';
import { dig } from '../../support/dig';
import { everyCluster } from '../../support/synth';
import { testChart } from '../../support/test-chart';

const byKind = (objs: ManifestObject[], kind: string) => objs.filter((o) => o.kind === kind && o.apiVersion.startsWith('kueue.x-k8s.io/'));

describe('KueueQueues renders a plan', () => {
  const spec = loadEnvironment('staging');
  const primary = spec.clusters[0];
  const plan = planQueues(spec, primary, clusterStages(spec, primary));
  const chart = testChart();
  new KueueQueues(chart, 'q', { plan });
  const objs = Testing.synth(chart) as ManifestObject[];

  it('writes the storage API version of the pinned Kueue', () => {
    for (const o of objs) expect(o.apiVersion).toBe('kueue.x-k8s.io/v1beta2');
  });

  it('gives each team a queue with cpu/memory and one group per GPU resource, borrowing and lending limits from the spec', () => {
    const vision = objs.find((o) => o.kind === 'ClusterQueue' && o.metadata.name === 'vision')!;
    expect(dig(vision, 'spec.cohortName')).toBe('ml-platform');
    expect(dig(vision, 'spec.namespaceSelector')).toEqual({ matchLabels: { 'ml.platform/team': 'vision' } });
    expect(dig(vision, 'spec.resourceGroups.1')).toEqual({
      coveredResources: ['nvidia.com/gpu'],
      flavors: [
        { name: 'a100', resources: [{ name: 'nvidia.com/gpu', nominalQuota: '8', borrowingLimit: '8', lendingLimit: '4' }] },
        { name: 'a100-mig', resources: [{ name: 'nvidia.com/gpu', nominalQuota: '8', borrowingLimit: '8', lendingLimit: '4' }] },
      ],
    });
    const nlp = objs.find((o) => o.kind === 'ClusterQueue' && o.metadata.name === 'nlp')!;
    expect(dig(nlp, 'spec.resourceGroups.1.flavors.0.resources.0')).toEqual({ name: 'nvidia.com/gpu', nominalQuota: '8', borrowingLimit: '4', lendingLimit: '2' });
  });

  it('creates priority classes with production serving above training above experiments', () => {
    const values = objs.filter((o) => o.kind === 'WorkloadPriorityClass').map((o) => [o.metadata.name, o.value]);
    expect(values).toEqual([['production-serving', 1000], ['training', 500], ['experiments', 100]]);
  });
});

/** The chain pool -> flavor -> cluster queue -> local queue, walked by name in every environment. */
describe.each(everyCluster())('%s/%s: Kueue wiring is complete', (env, clusterName, objs) => {
  const spec = loadEnvironment(env);
  const cluster = spec.clusters.find((c) => c.name === clusterName)!;
  const flavors = new Map(byKind(objs, 'ResourceFlavor').map((f) => [f.metadata.name, f]));
  const queues = new Map(byKind(objs, 'ClusterQueue').map((q) => [q.metadata.name, q]));
  const locals = byKind(objs, 'LocalQueue');

  it('every ClusterQueue names existing flavors, and every GPU flavor selects the nodes of a pool', () => {
    const poolLabels = spec.clusters.flatMap((c) => c.gpuPools.map((p) => JSON.stringify(c.provider === 'gcp' ? { 'cloud.google.com/compute-class': p.name } : { 'ml.platform/pool': p.name })));
    for (const q of queues.values()) {
      for (const g of dig(q, 'spec.resourceGroups') as { flavors: { name: string }[] }[]) for (const f of g.flavors) expect(flavors.has(f.name)).toBe(true);
    }
    for (const [name, f] of flavors) {
      if (name === CPU_FLAVOR) continue;
      expect(poolLabels).toContain(JSON.stringify(dig(f, 'spec.nodeLabels')));
      expect(dig(f, 'spec.tolerations')).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    }
  });

  it('every local GPU pool has a flavor', () => {
    for (const p of cluster.gpuPools.filter((x) => x.enabled)) expect(flavors.has(p.name)).toBe(true);
  });

  it('every LocalQueue points to an existing ClusterQueue of its own team, in an existing namespace', () => {
    const namespaces = new Set(objs.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
    for (const lq of locals) {
      const cq = queues.get(dig(lq, 'spec.clusterQueue') as string);
      expect(cq).toBeDefined();
      expect(cq?.metadata.labels?.['ml.platform/team']).toBe(lq.metadata.labels?.['ml.platform/team']);
      expect(namespaces.has(lq.metadata.namespace as string)).toBe(true);
    }
  });

  it('every training and serving namespace has a queue', () => {
    const queued = new Set(locals.map((l) => l.metadata.namespace));
    const needing = objs.filter((o) => o.kind === 'Namespace' && ['training', 'serving'].includes(o.metadata.labels?.['ml.platform/stage'] ?? ''));
    expect(needing.length).toBeGreaterThan(0);
    for (const ns of needing) expect(queued.has(ns.metadata.name)).toBe(true);
  });

  it('the teams\' nominal GPU quotas fit in each pool (capacity arithmetic)', () => {
    const nominal = new Map<string, number>();
    for (const q of queues.values()) {
      if (cluster.role === 'primary' && q.metadata.name.endsWith('-burst')) continue; // counted on the burst clusters
      for (const g of dig(q, 'spec.resourceGroups') as { coveredResources: string[]; flavors: { name: string; resources: { nominalQuota: string }[] }[] }[]) {
        if (g.coveredResources[0] === 'cpu') continue;
        for (const f of g.flavors) nominal.set(f.name, (nominal.get(f.name) ?? 0) + Number(f.resources[0].nominalQuota));
      }
    }
    for (const [poolName, total] of nominal) {
      const pool = spec.clusters.flatMap((c) => c.gpuPools).find((p) => p.name === poolName)!;
      expect(total).toBeLessThanOrEqual(poolDevices(pool));
    }
  });

  it('burst dispatch: the primary checks with MultiKueue, and each burst cluster has the matching queues', () => {
    const bursts = spec.clusters.filter((c) => c.role === 'burst');
    if (cluster.role === 'burst') {
      for (const t of spec.teams) {
        expect(queues.has(`${t.name}-burst`)).toBe(true);
        expect(locals.some((l) => l.metadata.namespace === `${t.name}-training` && l.metadata.name === BURST_QUEUE)).toBe(true);
      }
      return;
    }
    const configs = byKind(objs, 'MultiKueueConfig');
    if (bursts.length === 0) {
      expect(configs).toEqual([]);
      expect(locals.every((l) => l.metadata.name === LOCAL_QUEUE)).toBe(true);
      return;
    }
    const check = byKind(objs, 'AdmissionCheck').find((a) => a.metadata.name === MULTIKUEUE_CHECK)!;
    const config = configs.find((c) => c.metadata.name === dig(check, 'spec.parameters.name'))!;
    expect(dig(config, 'spec.clusters')).toEqual(bursts.map((b) => b.name));
    const mkClusters = byKind(objs, 'MultiKueueCluster');
    for (const b of bursts) expect(dig(mkClusters.find((m) => m.metadata.name === b.name), 'spec.clusterSource.kubeConfig')).toEqual({ location: `multikueue-${b.name}`, locationType: 'Secret' });
    for (const t of spec.teams) {
      const burstQueue = queues.get(`${t.name}-burst`)!;
      expect(dig(burstQueue, 'spec.admissionChecksStrategy.admissionChecks')).toEqual([{ name: MULTIKUEUE_CHECK }]);
      expect(locals.some((l) => l.metadata.namespace === `${t.name}-training` && l.metadata.name === BURST_QUEUE)).toBe(true);
    }
  });
});
