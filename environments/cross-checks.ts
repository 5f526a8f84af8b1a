import { GPU_MODELS } from './gpu-models';
import { PlatformSpec, STAGES, Stage, ClusterSpec, GpuPoolSpec } from './schema';

/** One problem found in a spec: where, what is wrong, and what was there. */
export interface SpecIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Team names that would collide with system or platform namespaces. */
const RESERVED_TEAM_NAMES = ['default', 'platform', 'monitoring', 'kubeflow', 'flux', 'cert-manager', 'istio', 'gateway'];

/** Stages a cluster runs when the spec does not say. */
export function clusterStages(spec: PlatformSpec, cluster: ClusterSpec): Stage[] {
  const wanted = cluster.stages ?? (cluster.role === 'primary' ? spec.stages : (['training'] as Stage[]));
  return STAGES.filter((s) => wanted.includes(s) && spec.stages.includes(s));
}

/** GPUs one pool can offer at its maximum size, per resource name. */
export function poolCapacity(pool: GpuPoolSpec): { gpu: number; sharedGpu: number } {
  if (!pool.enabled) return { gpu: 0, sharedGpu: 0 };
  const devices = pool.maxNodes * pool.gpusPerNode;
  return pool.sharing === 'time-slicing'
    ? { gpu: 0, sharedGpu: devices * (pool.timeSlicingReplicas ?? 0) }
    : { gpu: devices, sharedGpu: 0 };
}

function duplicates(names: readonly string[]): Map<string, number[]> {
  const seen = new Map<string, number[]>();
  names.forEach((n, i) => seen.set(n, [...(seen.get(n) ?? []), i]));
  return new Map([...seen].filter(([, idx]) => idx.length > 1));
}

function checkUnique(issues: SpecIssue[], base: (string | number)[], names: readonly string[], what: string): void {
  for (const [name, idx] of duplicates(names)) {
    issues.push({ path: [...base, idx[1], 'name'], message: `${what} name "${name}" is used more than once (also at index ${idx[0]}); names must be unique` });
  }
}

function checkPool(issues: SpecIssue[], cluster: ClusterSpec, pool: GpuPoolSpec, at: (string | number)[]): void {
  if (pool.maxNodes < pool.minNodes) {
    issues.push({ path: [...at, 'maxNodes'], message: `must be >= minNodes (got ${pool.maxNodes} < ${pool.minNodes})` });
  }
  if (pool.enabled && pool.maxNodes === 0) {
    issues.push({ path: [...at, 'maxNodes'], message: 'is 0 on an enabled pool; set enabled: false to keep a pool without nodes' });
  }
  const onPremises = cluster.provider === 'onprem' || cluster.provider === 'local';
  if (onPremises && pool.capacityType !== 'static') {
    issues.push({ path: [...at, 'capacityType'], message: `must be "static" on a ${cluster.provider} cluster (got "${pool.capacityType}"): owned hardware has no purchase option` });
  }
  if (!onPremises && pool.capacityType === 'static') {
    issues.push({ path: [...at, 'capacityType'], message: `must be one of on-demand, spot, reserved on a ${cluster.provider} cluster (got "static")` });
  }
  if (pool.managedBy === 'cluster-api' && cluster.provider !== 'onprem') {
    issues.push({ path: [...at, 'managedBy'], message: `"cluster-api" is only for onprem clusters (cluster provider is "${cluster.provider}")` });
  }
  if (pool.sharing === 'time-slicing') {
    const r = pool.timeSlicingReplicas;
    if (r === undefined || r < 2 || r > 48) {
      issues.push({ path: [...at, 'timeSlicingReplicas'], message: `must be an integer from 2 to 48 when sharing is "time-slicing" (got ${r === undefined ? 'nothing' : r})` });
    }
  } else if (pool.timeSlicingReplicas !== undefined) {
    issues.push({ path: [...at, 'timeSlicingReplicas'], message: `is only allowed when sharing is "time-slicing" (sharing is "${pool.sharing}")` });
  }
  const profiles: readonly string[] = GPU_MODELS[pool.gpuModel].migProfiles;
  if (pool.sharing === 'mig') {
    if (pool.migProfile === undefined || !profiles.includes(pool.migProfile)) {
      const allowed = profiles.length > 0 ? `one of ${profiles.join(', ')}` : `nothing: ${pool.gpuModel} has no MIG support`;
      issues.push({ path: [...at, 'migProfile'], message: `must be a MIG profile of ${pool.gpuModel}, allowed: ${allowed} (got ${pool.migProfile === undefined ? 'nothing' : `"${pool.migProfile}"`})` });
    }
  } else if (pool.migProfile !== undefined) {
    issues.push({ path: [...at, 'migProfile'], message: `is only allowed when sharing is "mig" (sharing is "${pool.sharing}")` });
  }
}

function checkClusters(spec: PlatformSpec, issues: SpecIssue[]): void {
  checkUnique(issues, ['clusters'], spec.clusters.map((c) => c.name), 'cluster');
  const primaries = spec.clusters.filter((c) => c.role === 'primary');
  if (primaries.length !== 1) {
    const idx = spec.clusters.findIndex((c) => c.role === 'burst');
    issues.push({
      path: primaries.length === 0 ? ['clusters', Math.max(idx, 0), 'role'] : ['clusters'],
      message: primaries.length === 0
        ? 'a burst cluster needs a primary: exactly one cluster must have role "primary" (found none)'
        : `exactly one cluster may have role "primary" (found ${primaries.length}: ${primaries.map((c) => c.name).join(', ')})`,
    });
  }
  spec.clusters.forEach((cluster, ci) => {
    checkUnique(issues, ['clusters', ci, 'gpuPools'], cluster.gpuPools.map((p) => p.name), 'GPU pool');
    cluster.gpuPools.forEach((pool, pi) => checkPool(issues, cluster, pool, ['clusters', ci, 'gpuPools', pi]));
    (cluster.stages ?? []).forEach((stage, si) => {
      if (!spec.stages.includes(stage)) {
        issues.push({ path: ['clusters', ci, 'stages', si], message: `"${stage}" is not a stage of this environment (stages: ${spec.stages.join(', ')})` });
      }
    });
  });
}

function checkStages(spec: PlatformSpec, issues: SpecIssue[]): void {
  const order = spec.stages.map((s) => STAGES.indexOf(s));
  if (order.some((v, i) => i > 0 && v <= order[i - 1])) {
    issues.push({ path: ['stages'], message: `must be unique and in workflow order ${STAGES.join(' -> ')} (got ${spec.stages.join(', ')})` });
  }
}

function checkTeams(spec: PlatformSpec, issues: SpecIssue[]): void {
  checkUnique(issues, ['teams'], spec.teams.map((t) => t.name), 'team');
  spec.teams.forEach((team, ti) => {
    if (RESERVED_TEAM_NAMES.includes(team.name) || team.name.startsWith('kube')) {
      issues.push({ path: ['teams', ti, 'name'], message: `"${team.name}" is reserved (system or platform namespaces use it); pick another team name` });
    }
    for (const stage of spec.stages) {
      const ns = `${team.name}-${stage}`;
      if (ns.length > 63) {
        issues.push({ path: ['teams', ti, 'name'], message: `gives namespace "${ns}" of ${ns.length} characters; keep team names short enough for <team>-<stage> to fit 63` });
      }
      if (team.quotas[stage] === undefined) {
        issues.push({ path: ['teams', ti, 'quotas', stage], message: `is missing: every stage of the environment (${spec.stages.join(', ')}) needs a quota` });
      }
    }
    for (const stage of Object.keys(team.quotas)) {
      if (!spec.stages.includes(stage as Stage)) {
        issues.push({ path: ['teams', ti, 'quotas', stage], message: `is for a stage this environment does not run (stages: ${spec.stages.join(', ')})` });
      }
    }
  });
}

/** Guaranteed GPU quotas must be backed by pool capacity: over-promising is starvation later. */
function checkGpuCapacity(spec: PlatformSpec, issues: SpecIssue[]): void {
  const capacity = spec.clusters.flatMap((c) => c.gpuPools).map(poolCapacity).reduce((a, b) => ({ gpu: a.gpu + b.gpu, sharedGpu: a.sharedGpu + b.sharedGpu }), { gpu: 0, sharedGpu: 0 });
  for (const resource of ['gpu', 'sharedGpu'] as const) {
    let total = 0;
    spec.teams.forEach((team, ti) => {
      const teamTotal = spec.stages.reduce((sum, s) => sum + (team.quotas[s]?.[resource] ?? 0), 0);
      total += teamTotal;
      if (teamTotal > capacity[resource]) {
        issues.push({ path: ['teams', ti, 'quotas'], message: `team "${team.name}" asks for ${teamTotal} ${resource} but the environment's pools offer at most ${capacity[resource]}; lower the quotas or add pool capacity` });
      }
    });
    if (total > capacity[resource] && spec.teams.every((t) => spec.stages.reduce((s, st) => s + (t.quotas[st]?.[resource] ?? 0), 0) <= capacity[resource])) {
      issues.push({ path: ['teams'], message: `the teams' ${resource} quotas add up to ${total} but the environment's pools offer at most ${capacity[resource]}; lower the quotas or add pool capacity` });
    }
  }
}

/** Every rule that relates several fields. Returns all issues, not just the first. */
export function crossCheck(spec: PlatformSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  checkStages(spec, issues);
  checkClusters(spec, issues);
  checkTeams(spec, issues);
  checkGpuCapacity(spec, issues);
  return issues;
}
