import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { TORCH_SINGLE_NODE } from '../../constructs/kubeflow/training-runtimes';
import { TRUSTED_IMAGE_POLICY } from '../../constructs/supply-chain/trusted-image-policy';
import { ManifestObject } from '../../stacks/manifests';
import { hardenedPods, pinnedImages } from '../policy/rules';
import { CrdValidator } from '../support/crd-validator';
import { dig } from '../support/dig';
import { rendered } from '../support/synth';
import { evaluatePolicy } from '../support/vap-evaluator';

const dir = path.join(__dirname, '..', '..', 'examples');
const examples = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => [f, YAML.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as ManifestObject] as const);
const dev = rendered('dev')[0].files.flatMap((f) => [...f.objects]);
const crds = new CrdValidator();
const policy = dev.find((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === TRUSTED_IMAGE_POLICY)!;

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

describe.each(examples)('examples/%s', (_file, example) => {
  it('validates against its upstream CRD', () => {
    expect(crds.validate(example)).toEqual([]);
  });

  it('targets a namespace the dev environment has', () => {
    expect(dev.some((o) => o.kind === 'Namespace' && o.metadata.name === example.metadata.namespace)).toBe(true);
  });

  it('runs only trusted, pinned images', () => {
    const pod = podOf(example);
    expect(evaluatePolicy(dig(policy, 'spec') as never, pod)).toEqual([]);
    expect(pinnedImages([pod])).toEqual([]);
  });

  it('passes restricted Pod Security (non-root, no escalation, no capabilities, seccomp, requests and limits)', () => {
    if (example.kind === 'PipelineVersion') return; // KFP builds these pods itself; see README "Kubeflow"
    expect(hardenedPods([podOf(example)])).toEqual([]);
  });

  it('asks for a queue that exists in its namespace', () => {
    const queue = example.metadata.labels?.['kueue.x-k8s.io/queue-name'];
    if (queue === undefined) return;
    expect(dev.some((o) => o.kind === 'LocalQueue' && o.metadata.namespace === example.metadata.namespace && o.metadata.name === queue)).toBe(true);
    const priority = example.metadata.labels?.['kueue.x-k8s.io/priority-class'];
    if (priority !== undefined) expect(dev.some((o) => o.kind === 'WorkloadPriorityClass' && o.metadata.name === priority)).toBe(true);
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
});
