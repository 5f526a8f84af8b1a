import { ENVIRONMENTS, PlatformSpecInput, STAGES } from '../../environments';

/**
 * An estate the size of a real one for `npm run bench:pulumi`: prod's three clusters (on-prem
 * primary with Kubeflow, AWS and Azure burst) and `teams` generated teams, each with a quota on
 * every GPU pool of every cluster.
 */
export function generatedEstate(teams: number): PlatformSpecInput {
  const prod = ENVIRONMENTS.prod;
  const pools = prod.clusters.flatMap((c) => (c.gpuPools ?? []).map((p) => p.name));
  const quota = { cpu: 8, memoryGiB: 32, storageGiB: 100, maxPods: 20 };
  return {
    ...prod,
    name: `estate-${teams}`,
    // Pools large enough for every team's quota on each (the estate is about object counts, not capacity).
    clusters: prod.clusters.map((c) => ({ ...c, gpuPools: (c.gpuPools ?? []).map((p) => ({ ...p, maxNodes: Math.max(p.maxNodes, teams) * 4 })) })),
    teams: Array.from({ length: teams }, (_, i) => ({
      name: `team-${i}`,
      costCenter: `cc-${4000 + i}`,
      groups: { mlEngineers: [`team-${i}-mle`], dataScientists: [`team-${i}-ds`], viewers: [`team-${i}-viewers`] },
      quotas: Object.fromEntries(STAGES.map((s) => [s, s === 'training' ? { ...quota, gpu: pools.length, sharedGpu: pools.length } : quota])),
      poolQuotas: Object.fromEntries(pools.map((p) => [p, 1])),
    })),
  };
}

/** The one-team change the benchmark applies: team `index`'s training CPU quota, one core more. */
export function withOneTeamChanged(spec: PlatformSpecInput, index = 0): PlatformSpecInput {
  const teams = spec.teams.map((t, i) => {
    const training = t.quotas.training;
    if (i !== index) return t;
    if (training === undefined) throw new Error(`${spec.name}: team ${t.name} has no training quota to change`);
    return { ...t, quotas: { ...t.quotas, training: { ...training, cpu: training.cpu + 1 } } };
  });
  return { ...spec, teams };
}
