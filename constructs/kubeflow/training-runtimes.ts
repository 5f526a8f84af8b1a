import { Construct } from 'constructs';
import {
  ClusterTrainingRuntime,
  ClusterTrainingRuntimeSpecTemplateSpecReplicatedJobsTemplateSpecTemplateSpecContainersResourcesLimits as Limit,
  ClusterTrainingRuntimeSpecTemplateSpecReplicatedJobsTemplateSpecTemplateSpecContainersResourcesRequests as Request,
} from '../../imports/trainer.kubeflow.org';
import { TRAINING_IMAGES } from '../catalog';
import { GPU_TOLERATION } from '../gpu/gpu-scheduling';
import { LABEL, PART_OF } from '../labels';
import { STAGE_SERVICE_ACCOUNT } from '../tenancy/workflow-namespace';

/** Runtime names TrainJobs refer to. */
export const TORCH_SINGLE_NODE = 'torch-gpu-single-node';
export const TORCH_MULTI_NODE = 'torch-gpu-multi-node';

/** Restricted-compliant container security, as every platform pod template has. */
export const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } } as const;

function runtime(scope: Construct, name: string, numNodes: number, gpusPerNode: number): void {
  new ClusterTrainingRuntime(scope, name, {
    metadata: { name, labels: { [LABEL.partOf]: PART_OF, 'trainer.kubeflow.org/framework': 'torch' } },
    spec: {
      mlPolicy: { numNodes, torch: {} },
      template: {
        spec: {
          replicatedJobs: [
            {
              name: 'node',
              // The Trainer controller applies a TrainJob's trainer settings to the step with this label.
              template: {
                metadata: { labels: { 'trainer.kubeflow.org/trainjob-ancestor-step': 'trainer' } },
                spec: {
                  template: {
                    spec: {
                      // The stage's token-less account (every training namespace has it), not `default`.
                      serviceAccountName: STAGE_SERVICE_ACCOUNT,
                      automountServiceAccountToken: false,
                      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
                      tolerations: [{ ...GPU_TOLERATION }],
                      containers: [
                        {
                          name: 'node',
                          image: TRAINING_IMAGES.pytorch,
                          command: ['torchrun'],
                          resources: {
                            requests: { cpu: Request.fromString('4'), memory: Request.fromString('32Gi'), 'nvidia.com/gpu': Request.fromString(String(gpusPerNode)) },
                            limits: { cpu: Limit.fromString('8'), memory: Limit.fromString('32Gi'), 'nvidia.com/gpu': Limit.fromString(String(gpusPerNode)) },
                          },
                          securityContext: { ...RESTRICTED_CONTAINER, capabilities: { drop: ['ALL'] } },
                        },
                      ],
                    },
                  },
                },
              },
            },
          ],
        },
      },
    },
  });
}

/**
 * PyTorch distributed runtimes on GPUs: one node, and several nodes (the TrainJob sets numNodes).
 * A TrainJob labelled `kueue.x-k8s.io/queue-name: gpu` (or `burst`) waits in its namespace's queue.
 */
export class TrainingRuntimes extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    runtime(this, TORCH_SINGLE_NODE, 1, 1);
    runtime(this, TORCH_MULTI_NODE, 2, 8);
  }
}
