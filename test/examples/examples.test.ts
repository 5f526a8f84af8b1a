import { poolResourceName } from '../../constructs/gpu/gpu-scheduling';
import { TORCH_SINGLE_NODE } from '../../constructs/kubeflow/training-runtimes';
import { LABEL } from '../../constructs/labels';
import { SERVING_PRIORITY, VLLM_PRESET } from '../../constructs/serving/llm-serving-plan';
import { TRUSTED_IMAGE_POLICY } from '../../constructs/supply-chain/trusted-image-policy';
import { ManifestObject } from '../../stacks/manifests';
import { hardenedPods, pinnedImages } from '../policy/rules';
import { CrdValidator } from '../support/crd-validator';
import { dig } from '../support/dig';
import { examples as loadExamples } from '../support/examples';
import { llmPods } from '../support/llm-pods';
import { rendered } from '../support/synth';
import { loadEnvironment } from '../../environments';
import { evaluatePolicy } from '../support/vap-evaluator';

const ALL = loadExamples();
const examples = ALL.map((e) => [e.file, e.object] as const);
/** The primary cluster's objects of an environment: where team workloads and LLM services run. */
const primaryObjects = (env: string): ManifestObject[] => rendered(env).find((c) => c.cluster.role === 'primary')!.files.flatMap((f) => [...f.objects]);
const envOf = (file: string): string => ALL.find((e) => e.file === file)!.env;
const dev = primaryObjects('dev');
const crds = new CrdValidator();
const trustedImages = (objects: readonly ManifestObject[]): ManifestObject => objects.find((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === TRUSTED_IMAGE_POLICY)!;
const policy = trustedImages(dev);

/**
 * The pods an example leads to, as far as the objects decide them. An LLMInferenceService's are
 * its spec merged over the platform preset it names (test/support/llm-pods.ts): without KServe's
 * controller that is the pod templates the example and the preset carry, not the final pods.
 */
function podsOf(example: ManifestObject, objects: readonly ManifestObject[] = dev): ManifestObject[] {
  if (example.kind === 'LLMInferenceService') return llmPods(example, objects).map((p) => p.pod);
  return [podOf(example)];
}

/** The pod an example leads to, as far as the platform decides it. */
function podOf(example: ManifestObject): ManifestObject {
  const as = (spec: unknown): ManifestObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: example.metadata.name, namespace: example.metadata.namespace }, spec });
  switch (example.kind) {
    case 'Notebook':
      return as(dig(example, 'spec.template.spec'));
    case 'InferenceService': {
      const predictor = dig(example, 'spec.predictor') as Record<string, unknown>;
      return as({ serviceAccountName: predictor.serviceAccountName, securityContext: predictor.securityContext, containers: predictor.containers });
    }
    case 'TrainJob': {
      // The runtime's pod template with the TrainJob's image, command and resources applied, as the Trainer controller does.
      const runtime = dev.find((o) => o.kind === 'ClusterTrainingRuntime' && o.metadata.name === dig(example, 'spec.runtimeRef.name'))!;
      const podSpec = JSON.parse(JSON.stringify(dig(runtime, 'spec.template.spec.replicatedJobs.0.template.spec.template.spec'))) as { containers: Record<string, unknown>[] };
      const trainer = dig(example, 'spec.trainer') as Record<string, unknown>;
      podSpec.containers[0] = { ...podSpec.containers[0], image: trainer.image, command: trainer.command, resources: trainer.resourcesPerNode };
      return as(podSpec);
    }
    case 'PipelineVersion': {
      const executors = dig(example, 'spec.pipelineSpec.deploymentSpec.executors') as Record<string, { container: { image: string } }>;
      return as({ containers: Object.entries(executors).map(([name, e]) => ({ name, image: e.container.image })) });
    }
    default:
      throw new Error(`no pod mapping for example kind ${example.kind}`);
  }
}

describe.each(examples)('examples/%s', (file, example) => {
  const objects = primaryObjects(envOf(file));
  const pods = (): ManifestObject[] => podsOf(example, objects);

  it('validates against its upstream CRD', () => {
    expect(crds.validate(example)).toEqual([]);
  });

  it(`targets a namespace the ${envOf(file)} environment has`, () => {
    expect(objects.some((o) => o.kind === 'Namespace' && o.metadata.name === example.metadata.namespace)).toBe(true);
  });

  it('runs only trusted, pinned images', () => {
    const vap = trustedImages(objects);
    for (const pod of pods()) expect(evaluatePolicy(dig(vap, 'spec') as never, pod)).toEqual([]);
    expect(pinnedImages(pods())).toEqual([]);
  });

  it('passes restricted Pod Security (non-root, no escalation, no capabilities, seccomp, requests and limits)', () => {
    if (example.kind === 'PipelineVersion') return; // KFP builds these pods itself; see README "Kubeflow"
    expect(hardenedPods(pods())).toEqual([]);
  });

  it('asks for a queue that exists in its namespace', () => {
    const queue = example.metadata.labels?.['kueue.x-k8s.io/queue-name'];
    if (queue === undefined) return;
    expect(objects.some((o) => o.kind === 'LocalQueue' && o.metadata.namespace === example.metadata.namespace && o.metadata.name === queue)).toBe(true);
    const priority = example.metadata.labels?.['kueue.x-k8s.io/priority-class'];
    if (priority !== undefined) expect(objects.some((o) => o.kind === 'WorkloadPriorityClass' && o.metadata.name === priority)).toBe(true);
  });

  it('each container fits its namespace\'s LimitRange maximum and the pods of one replica fit its quota', () => {
    const ns = example.metadata.namespace;
    const max = (dig(objects.find((o) => o.kind === 'LimitRange' && o.metadata.namespace === ns), 'spec.limits') as { type: string; max?: Record<string, string> }[] | undefined)?.find((l) => l.type === 'Container')?.max ?? {};
    const hard = (dig(objects.find((o) => o.kind === 'ResourceQuota' && o.metadata.namespace === ns), 'spec.hard') ?? {}) as Record<string, string>;
    const replicaPods = example.kind === 'LLMInferenceService' && dig(example, 'spec.parallelism.pipeline') !== undefined
      ? pods().flatMap((p) => (p.metadata.name.endsWith('-worker') ? Array.from({ length: Number(dig(example, 'spec.parallelism.pipeline')) - 1 }, () => p) : [p]))
      : pods();
    const used = new Map<string, number>();
    const over: string[] = [];
    for (const pod of replicaPods) {
      for (const c of (dig(pod, 'spec.containers') as { name: string; resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[])) {
        for (const [r, v] of Object.entries(c.resources?.limits ?? {})) if (max[r] !== undefined && quantity(v) > quantity(max[r])) over.push(`${pod.metadata.name}/${c.name}: limits.${r} ${v} > LimitRange max ${max[r]}`);
        for (const [r, v] of Object.entries(c.resources?.requests ?? {})) used.set(r, (used.get(r) ?? 0) + quantity(v));
      }
    }
    for (const [r, n] of used) if (hard[`requests.${r}`] !== undefined && n > quantity(hard[`requests.${r}`])) over.push(`requests.${r} ${n} > quota ${hard[`requests.${r}`]}`);
    expect(over).toEqual([]);
  });
});

/** Kubernetes quantities the examples use (plain numbers, m, Ki/Mi/Gi) as numbers. */
function quantity(q: string): number {
  const m = /^([0-9.]+)(m|Ki|Mi|Gi|Ti)?$/.exec(q);
  if (m === null) throw new Error(`quantity "${q}" is not one of the forms this test reads (e.g. "2", "500m", "8Gi")`);
  const unit = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}

describe('LLM service examples follow the platform', () => {
  const llm = examples.filter(([, e]) => e.kind === 'LLMInferenceService');

  it('there is a single-node and a multi-node (LeaderWorkerSet) example', () => {
    expect(llm.map(([f, e]) => [f, dig(e, 'spec.worker') !== undefined])).toEqual([
      ['llminferenceservice-multinode.yaml', true],
      ['llminferenceservice.yaml', false],
    ]);
  });

  it.each(llm)('%s uses the platform vLLM preset, the shared inference Gateway and production-serving priority', (file, example) => {
    const objects = primaryObjects(envOf(file));
    const platformService = objects.find((o) => o.kind === 'LLMInferenceService')!;
    expect(dig(example, 'spec.baseRefs')).toEqual([{ name: VLLM_PRESET }]);
    expect(objects.some((o) => o.kind === 'LLMInferenceServiceConfig' && o.metadata.name === VLLM_PRESET && o.metadata.namespace === example.metadata.namespace)).toBe(true);
    // The same route, gateway and scheduler the platform's own services ask for.
    expect(dig(example, 'spec.router')).toEqual(dig(platformService, 'spec.router'));
    expect(example.metadata.labels?.['kueue.x-k8s.io/priority-class']).toBe(SERVING_PRIORITY);
  });

  it.each(llm)('%s runs on a GPU pool of its environment, with the pool\'s resource and the parallelism the pool can hold', (file, example) => {
    const spec = loadEnvironment(envOf(file));
    const primary = spec.clusters.find((c) => c.role === 'primary')!;
    const objects = primaryObjects(envOf(file));
    const pods = llmPods(example, objects).filter((p) => p.role !== 'endpoint-picker');
    const poolName = dig(pods[0].pod, `spec.nodeSelector`) as Record<string, string>;
    const pool = primary.gpuPools.find((p) => p.name === poolName[LABEL.pool]);
    expect(pool).toBeDefined();
    if (pool === undefined) return;
    const resource = poolResourceName(pool);
    const gpusPerPod = pods.map((p) => Number(dig(p.pod, `spec.containers.0.resources.limits`) === undefined ? 0 : (dig(p.pod, 'spec.containers.0.resources.limits') as Record<string, string>)[resource]));
    expect(gpusPerPod.every((n) => n >= 1 && n <= pool.gpusPerNode)).toBe(true);
    const tensor = Number(dig(example, 'spec.parallelism.tensor') ?? 1);
    const pipeline = Number(dig(example, 'spec.parallelism.pipeline') ?? 1);
    // vLLM: tensor parallel = GPUs of one pod; pipeline parallel = pods of a LeaderWorkerSet group.
    expect(gpusPerPod.every((n) => n === tensor)).toBe(true);
    expect(pods.length).toBe(pipeline > 1 ? 2 : 1);
    if (pipeline > 1) {
      // Same rule as the spec's (environments/cross-checks.ts): NCCL needs whole GPUs, one pod per node.
      expect(pool.sharing).toBe('none');
      expect(pool.maxNodes).toBeGreaterThanOrEqual(pipeline);
    }
  });
});

describe('examples are checked for real', () => {
  it('an untrusted image in an example would be refused', () => {
    const bad = podOf({ ...examples[0][1], kind: 'Notebook', spec: { template: { spec: { containers: [{ name: 'x', image: 'docker.io/jupyter/scipy-notebook:2024-01-15' }] } } } } as ManifestObject);
    expect(evaluatePolicy(dig(policy, 'spec') as never, bad)).not.toEqual([]);
  });
  it('the TrainJob uses the platform runtime', () => {
    expect(examples.find(([f]) => f === 'trainjob.yaml')?.[1]).toMatchObject({ spec: { runtimeRef: { name: TORCH_SINGLE_NODE } } });
  });
  it('an LLM service that overrides the preset image with an unmirrored one would be refused', () => {
    const [, single] = examples.find(([f]) => f === 'llminferenceservice.yaml')!;
    const spec = single.spec as Record<string, unknown>;
    const bad = { ...single, spec: { ...spec, template: { ...(spec.template as object), containers: [{ name: 'main', image: 'vllm/vllm-openai:v0.19.1' }] } } } as ManifestObject;
    const modelServer = llmPods(bad, dev).find((p) => p.role === 'model-server')!.pod;
    expect(evaluatePolicy(dig(policy, 'spec') as never, modelServer)).not.toEqual([]);
  });
  it('a baseRef to a config the namespace does not have is an error, not a silently empty pod', () => {
    const [, single] = examples.find(([f]) => f === 'llminferenceservice.yaml')!;
    expect(() => llmPods({ ...single, spec: { ...(single.spec as object), baseRefs: [{ name: 'missing' }] } } as ManifestObject, dev)).toThrow(/baseRefs names LLMInferenceServiceConfig "missing"/);
  });
});
