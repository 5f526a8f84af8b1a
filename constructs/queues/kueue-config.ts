import * as YAML from 'yaml';
import { ClusterSpec, PlatformSpec } from '../../environments/schema';
import { clusterStages } from '../../environments/cross-checks';
import { deviceClassMappings, planDra } from '../gpu/dra-allocation';
import { LABEL } from '../labels';
import { QUEUED_STAGES } from './queue-plan';

/**
 * Job frameworks Kueue manages on this platform: plain Jobs, Trainer v2 TrainJobs and their JobSets,
 * serving Deployments and LeaderWorkerSets (multi-node LLM servers; the lws add-on is on every cluster). Only kinds an add-on installs on every cluster Kueue runs on: MultiKueue
 * watches each integrated kind on the burst clusters and stays inactive while one is missing there
 * (Trainer v1's PyTorchJob was listed; nothing installs it, and it kept every burst cluster out).
 */
export const KUEUE_INTEGRATIONS = ['batch/job', 'trainer.kubeflow.org/trainjob', 'jobset.x-k8s.io/jobset', 'deployment', 'statefulset', 'pod', 'leaderworkerset.x-k8s.io/leaderworkerset'] as const;

/** Whether the cluster is a MultiKueue manager, and how long it waits for a burst cluster it lost. */
export type KueueConfigOptions = (
  /** A cluster that dispatches nowhere: dev, every burst cluster. */
  | { readonly multiKueue: false }
  /** A primary with burst clusters: the MultiKueue manager. */
  | { readonly multiKueue: true; readonly workerLostTimeoutMinutes: number }
) & {
  /**
   * DRA pools' DeviceClasses and the quota resource each counts as (KueueDRAIntegration, beta and
   * on by default from Kueue 0.18). @default none: no `resources` block
   */
  readonly deviceClassMappings?: readonly { readonly name: string; readonly deviceClassNames: readonly string[] }[];
};

/** A primary with burst clusters is the MultiKueue manager; every other cluster only runs its own queues. DRA pools map their DeviceClasses to quota. */
export function kueueConfigOptions(spec: PlatformSpec, cluster: ClusterSpec): KueueConfigOptions {
  const dispatches = cluster.role === 'primary' && spec.clusters.some((c) => c.role === 'burst');
  const mappings = deviceClassMappings(planDra(spec, cluster, clusterStages(spec, cluster)));
  return dispatches ? { multiKueue: true, workerLostTimeoutMinutes: spec.burst.workerLostTimeoutMinutes, deviceClassMappings: mappings } : { multiKueue: false, deviceClassMappings: mappings };
}

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
 *
 * On a primary with burst clusters, a job admitted on a burst cluster the primary can no longer
 * reach is taken back and dispatched again after the spec's `burst.workerLostTimeoutMinutes`.
 */
export function kueueManagerConfig(options: KueueConfigOptions): string {
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
    ...(options.multiKueue ? { multiKueue: { gcInterval: '1m', origin: 'multikueue', workerLostTimeout: `${options.workerLostTimeoutMinutes}m` } } : {}),
  };
  return YAML.stringify(config, { lineWidth: 0 });
}
