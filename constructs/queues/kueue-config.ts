import * as YAML from 'yaml';
import { LABEL } from '../labels';
import { QUEUED_STAGES } from './queue-plan';

/**
 * Job frameworks Kueue manages on this platform: plain Jobs, Trainer v2 TrainJobs and their JobSets,
 * serving Deployments and LeaderWorkerSets (multi-node LLM servers; the lws add-on is on every cluster). Only kinds an add-on installs on every cluster Kueue runs on: MultiKueue
 * watches each integrated kind on the burst clusters and stays inactive while one is missing there
 * (Trainer v1's PyTorchJob was listed; nothing installs it, and it kept every burst cluster out).
 */
export const KUEUE_INTEGRATIONS = ['batch/job', 'trainer.kubeflow.org/trainjob', 'jobset.x-k8s.io/jobset', 'deployment', 'statefulset', 'pod', 'leaderworkerset.x-k8s.io/leaderworkerset'] as const;

/**
 * The Kueue manager Configuration, as the chart takes it (one YAML string that replaces the
 * default, so it is complete). Fair sharing is on so cohort borrowing follows the teams' weights;
 * pods-ready waiting stops half-scheduled distributed jobs from holding GPUs.
 *
 * config.kueue.x-k8s.io/v1beta2 is decoded strictly by Kueue (an unknown field stops the manager):
 * pods-ready waiting is on by the block's presence (no `enable`), and the namespaces whose pods
 * Kueue manages are `managedJobsNamespaceSelector` (v1beta1's `integrations.podOptions` is gone).
 *
 * Every Job, pod, Deployment... in a queued stage's namespace (training, serving: the ones with
 * LocalQueues) is Kueue's, queue label or not: one without a queue name is held (suspended or
 * gated), so GPU work cannot start outside the quota by leaving the label off and tolerating the
 * GPU taint itself. Other namespaces, system ones included, are never gated; GPU requests in the
 * other team stages are refused by their ResourceQuota (no GPU budget).
 */
export function kueueManagerConfig(options: {
  /** Whether this Kueue dispatches to burst clusters. */
  readonly multiKueue: boolean;
  /**
   * DRA pools' DeviceClasses and the quota resource each counts as (KueueDRAIntegration, beta and
   * on by default from Kueue 0.18). @default none: no `resources` block
   */
  readonly deviceClassMappings?: readonly { readonly name: string; readonly deviceClassNames: readonly string[] }[];
}): string {
  const mappings = options.deviceClassMappings ?? [];
  const config = {
    apiVersion: 'config.kueue.x-k8s.io/v1beta2',
    kind: 'Configuration',
    health: { healthProbeBindAddress: ':8081' },
    metrics: { bindAddress: ':8443', enableClusterQueueResources: true },
    webhook: { port: 9443 },
    leaderElection: { leaderElect: true, resourceName: 'c1f6bfd2.kueue.x-k8s.io' },
    manageJobsWithoutQueueName: true,
    managedJobsNamespaceSelector: {
      matchExpressions: [
        { key: LABEL.team, operator: 'Exists' },
        { key: LABEL.stage, operator: 'In', values: [...QUEUED_STAGES] },
      ],
    },
    waitForPodsReady: { timeout: '10m', recoveryTimeout: '3m', blockAdmission: false },
    integrations: { frameworks: [...KUEUE_INTEGRATIONS] },
    fairSharing: { preemptionStrategies: ['LessThanOrEqualToFinalShare', 'LessThanInitialShare'] },
    ...(mappings.length > 0 ? { resources: { deviceClassMappings: mappings.map((m) => ({ name: m.name, deviceClassNames: [...m.deviceClassNames] })) } } : {}),
    ...(options.multiKueue ? { multiKueue: { gcInterval: '1m', origin: 'multikueue', workerLostTimeout: '15m' } } : {}),
  };
  return YAML.stringify(config, { lineWidth: 0 });
}
