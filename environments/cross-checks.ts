import { CLOUD_CAPACITY_TYPES, CLOUD_MACHINE_TYPES, GPU_MODELS, migSlicesPerGpu } from './gpu-models';
import { PlatformSpec, STAGES, Stage, ClusterSpec, GpuPoolSpec } from './schema';
import { ENDPOINT_PICKER_REQUESTS } from './serving-schema';

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

/** Which quota line a pool's devices count against: whole GPUs and MIG slices, or time-sliced shares. */
export function poolResource(pool: GpuPoolSpec): 'gpu' | 'sharedGpu' {
  return pool.sharing === 'time-slicing' ? 'sharedGpu' : 'gpu';
}

/** Schedulable GPU devices of a pool at its maximum size (MIG slices and time-sliced shares counted). */
export function poolDevices(pool: GpuPoolSpec): number {
  if (!pool.enabled) return 0;
  const gpus = pool.maxNodes * pool.gpusPerNode;
  if (pool.sharing === 'time-slicing') return gpus * (pool.timeSlicingReplicas ?? 0);
  if (pool.sharing === 'mig') return gpus * migSlicesPerGpu(pool.gpuModel, pool.migProfile ?? '');
  return gpus;
}

/** GPUs one pool can offer at its maximum size, per resource name. */
export function poolCapacity(pool: GpuPoolSpec): { gpu: number; sharedGpu: number } {
  const devices = poolDevices(pool);
  return poolResource(pool) === 'sharedGpu' ? { gpu: 0, sharedGpu: devices } : { gpu: devices, sharedGpu: 0 };
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
  checkPoolPlacement(issues, cluster, pool, at);
  checkGpuAllocation(issues, cluster, pool, at);
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

/** Kubernetes minor from which DRA (resource.k8s.io/v1) is GA and on by default. */
export const DRA_MINIMUM_MINOR = 34;

/** Combinations the NVIDIA DRA driver (or the cluster under it) cannot serve. */
function checkGpuAllocation(issues: SpecIssue[], cluster: ClusterSpec, pool: GpuPoolSpec, at: (string | number)[]): void {
  if (pool.gpuAllocation !== 'dra') return;
  const refuse = (why: string): void => {
    issues.push({ path: [...at, 'gpuAllocation'], message: `"dra" ${why}` });
  };
  const minor = Number(cluster.kubernetesVersion.split('.')[1]);
  if (minor < DRA_MINIMUM_MINOR) {
    refuse(`needs Kubernetes 1.${DRA_MINIMUM_MINOR} or later, where resource.k8s.io/v1 is GA (cluster "${cluster.name}" is ${cluster.kubernetesVersion}); upgrade the cluster or use "extended-resources"`);
  }
  if (pool.sharing === 'time-slicing') {
    refuse('cannot be combined with sharing "time-slicing": time-slicing replicas are a device-plugin setting, the DRA driver shares a GPU through the claim\'s own configuration; use sharing "none" or "mig", or "extended-resources"');
  }
  if (cluster.provider === 'gcp') {
    refuse('is not offered on gcp: GKE installs its own NVIDIA device plugin on the GPU nodes a ComputeClass creates, and the DRA driver must not run beside it; use "extended-resources"');
  }
}

/** How nodes join the pool: a node-name pattern, Cluster API templates, or a cloud machine shape. */
function checkPoolPlacement(issues: SpecIssue[], cluster: ClusterSpec, pool: GpuPoolSpec, at: (string | number)[]): void {
  const onPremises = cluster.provider === 'onprem' || cluster.provider === 'local';
  const staticNodes = onPremises && pool.managedBy === 'static';
  if (staticNodes && pool.nodeNamePattern === undefined) {
    issues.push({ path: [...at, 'nodeNamePattern'], message: 'is required for a static on-prem pool: a regular expression over the names of its nodes, e.g. "^gpu-a100-[0-9]+$"' });
  }
  if (!staticNodes && pool.nodeNamePattern !== undefined) {
    issues.push({ path: [...at, 'nodeNamePattern'], message: `is only for static on-prem pools (this pool is ${onPremises ? 'managed by Cluster API' : `on ${cluster.provider}`})` });
  }
  if (pool.nodeNamePattern !== undefined) {
    try {
      new RegExp(pool.nodeNamePattern);
    } catch {
      issues.push({ path: [...at, 'nodeNamePattern'], message: `is not a valid regular expression (got "${pool.nodeNamePattern}")` });
    }
  }
  if (pool.managedBy === 'cluster-api' && pool.clusterApi === undefined) {
    issues.push({ path: [...at, 'clusterApi'], message: 'is required when managedBy is "cluster-api": namespace, infrastructureRef and bootstrapConfigRef of the machine templates' });
  }
  if (pool.managedBy !== 'cluster-api' && pool.clusterApi !== undefined) {
    issues.push({ path: [...at, 'clusterApi'], message: `is only allowed when managedBy is "cluster-api" (managedBy is "${pool.managedBy}")` });
  }
  if (cluster.provider === 'aws' || cluster.provider === 'azure' || cluster.provider === 'gcp') {
    const shapes = CLOUD_MACHINE_TYPES[cluster.provider][pool.gpuModel];
    if (shapes === undefined) {
      const sold = Object.keys(CLOUD_MACHINE_TYPES[cluster.provider]).join(', ');
      issues.push({ path: [...at, 'gpuModel'], message: `${pool.gpuModel} is not offered on ${cluster.provider}; ${cluster.provider} pools can use ${sold}` });
    } else if (shapes[pool.gpusPerNode] === undefined) {
      issues.push({ path: [...at, 'gpusPerNode'], message: `${cluster.provider} sells ${pool.gpuModel} with ${Object.keys(shapes).join(', ')} GPUs per node (got ${pool.gpusPerNode})` });
    }
    if (cluster.provider !== 'gcp' && pool.minNodes > 0) {
      issues.push({ path: [...at, 'minNodes'], message: `must be 0 on ${cluster.provider}: Karpenter creates GPU nodes when work is queued and removes them when empty (got ${pool.minNodes})` });
    }
    const capacityTypes = CLOUD_CAPACITY_TYPES[cluster.provider];
    if (pool.capacityType !== 'static' && !capacityTypes.includes(pool.capacityType)) {
      issues.push({ path: [...at, 'capacityType'], message: `must be one of ${capacityTypes.join(', ')} on ${cluster.provider} (got "${pool.capacityType}")` });
    }
  }
}

/** A DRA pool needs the DRA driver add-on and the GPU Operator (driver, toolkit, MIG layouts). */
function checkDraComponents(spec: PlatformSpec, issues: SpecIssue[]): void {
  spec.clusters.forEach((cluster, ci) => {
    cluster.gpuPools.forEach((pool, pi) => {
      if (pool.gpuAllocation !== 'dra') return;
      for (const component of ['draDriver', 'gpuOperator'] as const) {
        if (!spec.components[component]) {
          issues.push({ path: ['clusters', ci, 'gpuPools', pi, 'gpuAllocation'], message: `"dra" needs components.${component} (it is off); turn it on or use "extended-resources"` });
        }
      }
    });
  });
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
  // Pool names are unique across the environment: team poolQuotas and Kueue flavors refer to them by name.
  const poolNames = spec.clusters.flatMap((c) => c.gpuPools.map((p) => p.name));
  for (const [name] of duplicates(poolNames)) {
    const where = spec.clusters.flatMap((c, ci) => c.gpuPools.map((p, pi) => ({ p, ci, pi }))).filter((x) => x.p.name === name);
    issues.push({ path: ['clusters', where[1].ci, 'gpuPools', where[1].pi, 'name'], message: `GPU pool name "${name}" is used more than once in the environment (also clusters[${where[0].ci}].gpuPools[${where[0].pi}]); pool names must be unique across clusters` });
  }
  spec.clusters.forEach((cluster, ci) => {
    if (cluster.role === 'burst' && !cluster.gpuPools.some((p) => p.enabled)) {
      issues.push({ path: ['clusters', ci, 'gpuPools'], message: `burst cluster "${cluster.name}" has no enabled GPU pool, so MultiKueue would dispatch work it can never run; add a pool or remove the cluster` });
    }
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

/** Team Kueue quotas per pool: known pools, within each pool's capacity, within the namespace budgets. */
function checkPoolQuotas(spec: PlatformSpec, issues: SpecIssue[]): void {
  const pools = new Map(spec.clusters.flatMap((c) => c.gpuPools.map((p) => [p.name, { pool: p, cluster: c }] as const)));
  const used = new Map<string, { team: string; amount: number }[]>();
  spec.teams.forEach((team, ti) => {
    for (const [poolName, amount] of Object.entries(team.poolQuotas)) {
      const found = pools.get(poolName);
      if (found === undefined) {
        issues.push({ path: ['teams', ti, 'poolQuotas', poolName], message: `names GPU pool "${poolName}", which no cluster has (pools: ${[...pools.keys()].join(', ') || 'none'})` });
        continue;
      }
      if (!found.pool.enabled && amount > 0) {
        issues.push({ path: ['teams', ti, 'poolQuotas', poolName], message: `gives ${amount} on pool "${poolName}", which is disabled; set it to 0 or enable the pool` });
      }
      used.set(poolName, [...(used.get(poolName) ?? []), { team: team.name, amount }]);
    }
    // Kueue admits up to the pool quotas; the namespace ResourceQuota must not refuse what Kueue admitted.
    for (const cluster of spec.clusters) {
      const stagesHere: Stage[] = cluster.role === 'primary' ? ['training', 'serving'] : ['training'];
      for (const resource of ['gpu', 'sharedGpu'] as const) {
        const queued = cluster.gpuPools.filter((p) => poolResource(p) === resource).reduce((n, p) => n + (team.poolQuotas[p.name] ?? 0), 0);
        const budget = stagesHere.reduce((n, st) => n + (team.quotas[st]?.[resource] ?? 0), 0);
        if (queued > budget) {
          issues.push({ path: ['teams', ti, 'poolQuotas'], message: `team "${team.name}" queues ${queued} ${resource} on cluster "${cluster.name}" but its ${stagesHere.join(' + ')} quotas allow ${budget}; raise quotas.<stage>.${resource} or lower poolQuotas` });
        }
      }
    }
  });
  for (const [poolName, entries] of used) {
    const capacity = poolDevices((pools.get(poolName) as { pool: GpuPoolSpec }).pool);
    const total = entries.reduce((n, e) => n + e.amount, 0);
    if (total > capacity) {
      const ti = spec.teams.findIndex((t) => t.name === entries[entries.length - 1].team);
      issues.push({ path: ['teams', ti, 'poolQuotas', poolName], message: `pool "${poolName}" offers ${capacity} but the teams' quotas add up to ${total} (${entries.map((e) => `${e.team} ${e.amount}`).join(', ')}); lower the quotas or raise the pool's maxNodes` });
    }
  }
}

/** Each signed registry names exactly one way to verify it. */
function checkSigners(spec: PlatformSpec, issues: SpecIssue[]): void {
  spec.images.signed.forEach((signer, i) => {
    if ((signer.publicKeySecret === undefined) === (signer.keyless === undefined)) {
      issues.push({ path: ['images', 'signed', i], message: `needs exactly one of publicKeySecret or keyless for registry "${signer.registry}" (got ${signer.publicKeySecret === undefined ? 'neither' : 'both'})` });
    }
  });
}

/** Devices (GPUs, MIG slices or time-sliced shares) one node of a pool offers. */
function devicesPerNode(pool: GpuPoolSpec): number {
  if (pool.sharing === 'time-slicing') return pool.gpusPerNode * (pool.timeSlicingReplicas ?? 0);
  if (pool.sharing === 'mig') return pool.gpusPerNode * migSlicesPerGpu(pool.gpuModel, pool.migProfile ?? '');
  return pool.gpusPerNode;
}

/** A team's LLM services: on a primary pool the team has quota on, shaped to fit its nodes and its quotas. */
function checkLlmServices(spec: PlatformSpec, issues: SpecIssue[]): void {
  const primary = spec.clusters.find((c) => c.role === 'primary');
  spec.teams.forEach((team, ti) => {
    checkUnique(issues, ['teams', ti, 'llmServices'], team.llmServices.map((s) => s.name), 'LLM service');
    team.llmServices.forEach((svc, si) => {
      const at = ['teams', ti, 'llmServices', si];
      if (!spec.components.llmServing) {
        issues.push({ path: [...at], message: `needs components.llmServing (it is off); turn it on or remove the service "${svc.name}"` });
      }
      if (!spec.stages.includes('serving')) {
        issues.push({ path: [...at], message: `needs the serving stage, which this environment does not run (stages: ${spec.stages.join(', ')})` });
      }
      const pools = primary?.gpuPools ?? [];
      const pool = pools.find((p) => p.name === svc.pool);
      if (pool === undefined) {
        issues.push({ path: [...at, 'pool'], message: `names GPU pool "${svc.pool}", which the primary cluster does not have (primary pools: ${pools.map((p) => p.name).join(', ') || 'none'}); LLM services run on the primary` });
        return;
      }
      if (!pool.enabled) issues.push({ path: [...at, 'pool'], message: `names pool "${pool.name}", which is disabled; enable it or pick another pool` });
      const queued = team.poolQuotas[pool.name] ?? 0;
      if (queued === 0) {
        issues.push({ path: [...at, 'pool'], message: `team "${team.name}" has no quota on pool "${pool.name}" (poolQuotas.${pool.name} is ${team.poolQuotas[pool.name] ?? 'absent'}); add teams[${ti}].poolQuotas.${pool.name} or pick a pool the team has quota on` });
      }
      const perNode = devicesPerNode(pool);
      const unit = pool.sharing === 'none' ? 'GPUs' : pool.sharing === 'mig' ? `MIG ${pool.migProfile ?? ''} slices` : 'time-sliced GPU shares';
      if (pool.sharing !== 'none' && (svc.gpusPerReplica > 1 || svc.nodesPerReplica > 1)) {
        issues.push({ path: [...at, svc.gpusPerReplica > 1 ? 'gpusPerReplica' : 'nodesPerReplica'], message: `must be 1 on pool "${pool.name}" (sharing "${pool.sharing}"): tensor and pipeline parallelism need whole GPUs (NCCL does not span ${unit}); use a pool with sharing "none"` });
      } else if (svc.gpusPerReplica > perNode) {
        issues.push({ path: [...at, 'gpusPerReplica'], message: `is ${svc.gpusPerReplica} but a node of pool "${pool.name}" has ${perNode} ${unit}; lower it to ${perNode} or spread the model over nodes with nodesPerReplica` });
      }
      if (svc.nodesPerReplica > 1 && svc.nodesPerReplica > pool.maxNodes) {
        issues.push({ path: [...at, 'nodesPerReplica'], message: `asks for ${svc.nodesPerReplica} nodes per replica (multi-node) but pool "${pool.name}" has at most ${pool.maxNodes} node(s); use a single-node service (nodesPerReplica: 1) or a larger pool` });
      }
      const maxReplicas = svc.maxReplicas ?? svc.minReplicas;
      if (maxReplicas < svc.minReplicas) {
        issues.push({ path: [...at, 'maxReplicas'], message: `must be >= minReplicas (got ${maxReplicas} < ${svc.minReplicas})` });
      }
      const atMost = maxReplicas * svc.nodesPerReplica * svc.gpusPerReplica;
      if (queued > 0 && atMost > queued) {
        issues.push({ path: [...at, 'maxReplicas'], message: `${maxReplicas} replica(s) x ${svc.nodesPerReplica} pod(s) x ${svc.gpusPerReplica} ${unit} = ${atMost}, more than team "${team.name}" may queue on pool "${pool.name}" (poolQuotas.${pool.name} = ${queued}); lower maxReplicas or raise the pool quota` });
      }
      const resource = poolResource(pool);
      const budget = team.quotas.serving?.[resource] ?? 0;
      const atLeast = svc.minReplicas * svc.nodesPerReplica * svc.gpusPerReplica;
      if (atLeast > budget) {
        issues.push({ path: [...at, 'minReplicas'], message: `${svc.minReplicas} replica(s) need ${atLeast} ${resource} but the serving namespace's quota allows ${budget} (quotas.serving.${resource}); raise it or lower minReplicas` });
      }
    });
    checkLlmHostBudget(team, ti, issues);
  });
}

/**
 * CPU and memory of a team's LLM services at minReplicas (model servers plus one endpoint picker
 * per service) within quotas.serving: the namespace's ResourceQuota (and LimitRange maximum, which
 * is the same memory) would refuse the pods otherwise, long after the spec was accepted.
 */
function checkLlmHostBudget(team: PlatformSpec['teams'][number], ti: number, issues: SpecIssue[]): void {
  if (team.llmServices.length === 0) return;
  const quota = team.quotas.serving;
  const pods = (s: (typeof team.llmServices)[number]): number => s.minReplicas * s.nodesPerReplica;
  const cpu = team.llmServices.reduce((n, s) => n + pods(s) * s.cpu * 1000 + ENDPOINT_PICKER_REQUESTS.cpuMilli, 0) / 1000;
  const memoryGiB = team.llmServices.reduce((n, s) => n + pods(s) * s.memoryGiB * 1024 + ENDPOINT_PICKER_REQUESTS.memoryMiB, 0) / 1024;
  const what = `the LLM services of team "${team.name}" at minReplicas (model servers: minReplicas x nodesPerReplica x cpu / memoryGiB; plus ${ENDPOINT_PICKER_REQUESTS.cpuMilli / 1000} CPU and ${(ENDPOINT_PICKER_REQUESTS.memoryMiB / 1024).toFixed(2)} GiB per service for its endpoint picker)`;
  const fix = 'lower llmServices[].cpu / memoryGiB or minReplicas, or raise quotas.serving';
  for (const [key, need, have] of [['cpu', cpu, quota?.cpu ?? 0], ['memoryGiB', memoryGiB, quota?.memoryGiB ?? 0]] as const) {
    if (need > have) issues.push({ path: ['teams', ti, 'quotas', 'serving', key], message: `is ${have} but ${what} request ${Math.round(need * 100) / 100}; ${fix}` });
  }
  team.llmServices.forEach((s, si) => {
    if (quota !== undefined && s.memoryGiB > quota.memoryGiB) issues.push({ path: ['teams', ti, 'llmServices', si, 'memoryGiB'], message: `is ${s.memoryGiB} but a container in the serving namespace may have at most ${quota.memoryGiB} GiB (the LimitRange maximum is quotas.serving.memoryGiB); lower it or raise quotas.serving.memoryGiB` });
  });
}

/** Every rule that relates several fields. Returns all issues, not just the first. */
export function crossCheck(spec: PlatformSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  checkStages(spec, issues);
  checkClusters(spec, issues);
  checkDraComponents(spec, issues);
  checkTeams(spec, issues);
  checkGpuCapacity(spec, issues);
  checkPoolQuotas(spec, issues);
  checkSigners(spec, issues);
  checkLlmServices(spec, issues);
  return issues;
}
