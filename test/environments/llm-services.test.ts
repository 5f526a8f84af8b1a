import { prod } from '../../environments/prod';
import { staging } from '../../environments/staging';
import { parseSpec, PlatformSpecInput, SpecError } from '../../environments';

/** The parts of a spec these tests break on purpose. */
interface Editable {
  teams: { poolQuotas: Record<string, number>; llmServices: unknown[] }[];
  clusters: { gpuPools: { maxNodes: number; minNodes: number }[] }[];
  components?: Record<string, boolean>;
}

/** A copy of a shipped spec with one team's LLM services replaced, then edited. */
function withServices(base: PlatformSpecInput, team: number, services: unknown[], edit?: (s: Editable) => void): unknown {
  const copy = JSON.parse(JSON.stringify(base)) as Editable;
  copy.teams[team].llmServices = services;
  edit?.(copy);
  return copy;
}

function issuesOf(input: unknown): string[] {
  try {
    parseSpec(input);
  } catch (e) {
    if (e instanceof SpecError) return [...e.issues];
    throw e;
  }
  throw new Error('spec was accepted');
}

const svc = (over: Record<string, unknown> = {}) => ({ name: 'llm', modelUri: 's3://models/m', pool: 'a100', gpusPerReplica: 1, ...over });

describe('LLM services in the spec', () => {
  it('fills the defaults: single-node, one replica, 4 CPUs and 32 GiB per model-server pod', () => {
    const spec = parseSpec(withServices(staging, 1, [svc()]));
    expect(spec.teams[1].llmServices[0]).toEqual({ name: 'llm', modelUri: 's3://models/m', pool: 'a100', gpusPerReplica: 1, nodesPerReplica: 1, cpu: 4, memoryGiB: 32, minReplicas: 1 });
  });

  it('refuses LLM services whose model servers and endpoint pickers do not fit quotas.serving (CPU and memory)', () => {
    // nlp's serving quota: 16 CPUs, 64 GiB. Two pods of 8 CPUs plus the endpoint picker's 1.256 CPUs.
    const issues = issuesOf(withServices(staging, 1, [svc({ gpusPerReplica: 2, nodesPerReplica: 2, cpu: 8, memoryGiB: 32 })]));
    expect(issues).toContainEqual(expect.stringMatching(/^staging: teams\[1\]\.quotas\.serving\.cpu is 16 but the LLM services of team "nlp" at minReplicas .* request 17\.26; lower llmServices\[\]\.cpu \/ memoryGiB or minReplicas, or raise quotas\.serving/));
    expect(issues).toContainEqual(expect.stringMatching(/teams\[1\]\.quotas\.serving\.memoryGiB is 64 but .* request 66\.49/));
  });

  it('refuses a model server with more memory than a serving container may have (the LimitRange maximum)', () => {
    expect(issuesOf(withServices(staging, 1, [svc({ memoryGiB: 80 })]))).toContainEqual(expect.stringMatching(/teams\[1\]\.llmServices\[0\]\.memoryGiB is 80 but a container in the serving namespace may have at most 64 GiB/));
  });

  it('accepts the same services when their CPU and memory fit', () => {
    expect(parseSpec(withServices(staging, 1, [svc({ gpusPerReplica: 2, nodesPerReplica: 2, cpu: 6, memoryGiB: 24 })])).teams[1].llmServices[0]).toMatchObject({ cpu: 6, memoryGiB: 24 });
  });

  it('refuses a pool the team has no quota on, naming the field and the fix', () => {
    const input = withServices(staging, 1, [svc()], (s) => { s.teams[1].poolQuotas.a100 = 0; s.teams[0].poolQuotas.a100 = 8; });
    expect(issuesOf(input)).toContainEqual(expect.stringMatching(/^staging: teams\[1\]\.llmServices\[0\]\.pool team "nlp" has no quota on pool "a100" .*add teams\[1\]\.poolQuotas\.a100/));
  });

  it('refuses a pool the primary cluster does not have (burst pools do not serve)', () => {
    expect(issuesOf(withServices(staging, 1, [svc({ pool: 'l40s-spot' })]))).toContainEqual(expect.stringMatching(/llmServices\[0\]\.pool names GPU pool "l40s-spot", which the primary cluster does not have \(primary pools: a100, a100-mig\)/));
  });

  it('refuses more GPUs per replica than a node has', () => {
    expect(issuesOf(withServices(staging, 1, [svc({ gpusPerReplica: 9 })]))).toContainEqual(expect.stringMatching(/llmServices\[0\]\.gpusPerReplica is 9 but a node of pool "a100" has 8 GPUs; lower it to 8 or spread the model over nodes/));
  });

  it('refuses multi-node on a pool of one node', () => {
    const input = withServices(staging, 1, [svc({ nodesPerReplica: 2 })], (s) => { s.clusters[0].gpuPools[0].maxNodes = 1; s.clusters[0].gpuPools[0].minNodes = 1; s.teams[0].poolQuotas.a100 = 0; s.teams[0].llmServices = []; });
    expect(issuesOf(input)).toContainEqual(expect.stringMatching(/llmServices\[0\]\.nodesPerReplica asks for 2 nodes per replica \(multi-node\) but pool "a100" has at most 1 node\(s\)/));
  });

  it('refuses tensor or pipeline parallelism on shared GPUs', () => {
    expect(issuesOf(withServices(staging, 1, [svc({ pool: 'a100-mig', gpusPerReplica: 2 })]))).toContainEqual(expect.stringMatching(/llmServices\[0\]\.gpusPerReplica must be 1 on pool "a100-mig" \(sharing "mig"\)/));
  });

  it('refuses more replicas than the pool quota holds, and fewer serving GPUs than minReplicas need', () => {
    const issues = issuesOf(withServices(staging, 1, [svc({ gpusPerReplica: 4, minReplicas: 2, maxReplicas: 3 })]));
    expect(issues).toContainEqual(expect.stringMatching(/llmServices\[0\]\.maxReplicas 3 replica\(s\) x 1 pod\(s\) x 4 GPUs = 12, more than team "nlp" may queue on pool "a100" \(poolQuotas\.a100 = 8\)/));
    expect(issues).toContainEqual(expect.stringMatching(/llmServices\[0\]\.minReplicas 2 replica\(s\) need 8 gpu but the serving namespace's quota allows 4 \(quotas\.serving\.gpu\)/));
  });

  it('refuses maxReplicas below minReplicas, a duplicate name, a bad model URI and llmServing off', () => {
    expect(issuesOf(withServices(staging, 1, [svc({ minReplicas: 2, maxReplicas: 1 })]))).toContainEqual(expect.stringMatching(/maxReplicas must be >= minReplicas \(got 1 < 2\)/));
    expect(issuesOf(withServices(staging, 1, [svc(), svc()]))).toContainEqual(expect.stringMatching(/llmServices\[1\]\.name LLM service name "llm" is used more than once/));
    expect(issuesOf(withServices(staging, 1, [svc({ modelUri: 'ftp://x' })]))).toContainEqual(expect.stringMatching(/llmServices\[0\]\.modelUri must be a model URI with scheme s3, gs, hf, pvc, oci or https/));
    expect(issuesOf(withServices(prod, 0, [], (s) => { s.components = { llmServing: false }; }))).toContainEqual(expect.stringMatching(/teams\[1\]\.llmServices\[0\] needs components\.llmServing \(it is off\)/));
  });
});
