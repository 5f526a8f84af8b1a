import * as YAML from 'yaml';

/** Job frameworks Kueue manages on this platform: plain Jobs, Trainer v2 and v1, JobSets, serving Deployments. */
export const KUEUE_INTEGRATIONS = ['batch/job', 'trainer.kubeflow.org/trainjob', 'kubeflow.org/pytorchjob', 'jobset.x-k8s.io/jobset', 'deployment', 'statefulset', 'pod'] as const;

/**
 * The Kueue manager Configuration, as the chart takes it (one YAML string that replaces the
 * default, so it is complete). Fair sharing is on so cohort borrowing follows the teams' weights;
 * pods-ready waiting stops half-scheduled distributed jobs from holding GPUs.
 */
export function kueueManagerConfig(options: { readonly multiKueue: boolean }): string {
  const config = {
    apiVersion: 'config.kueue.x-k8s.io/v1beta2',
    kind: 'Configuration',
    health: { healthProbeBindAddress: ':8081' },
    metrics: { bindAddress: ':8443', enableClusterQueueResources: true },
    webhook: { port: 9443 },
    leaderElection: { leaderElect: true, resourceName: 'c1f6bfd2.kueue.x-k8s.io' },
    manageJobsWithoutQueueName: false,
    waitForPodsReady: { enable: true, timeout: '10m', recoveryTimeout: '3m', blockAdmission: false },
    integrations: {
      frameworks: [...KUEUE_INTEGRATIONS],
      // Only pods of team namespaces: system pods are never gated.
      podOptions: { namespaceSelector: { matchExpressions: [{ key: 'ml.platform/team', operator: 'Exists' }] } },
    },
    fairSharing: { preemptionStrategies: ['LessThanOrEqualToFinalShare', 'LessThanInitialShare'] },
    ...(options.multiKueue ? { multiKueue: { gcInterval: '1m', origin: 'multikueue', workerLostTimeout: '15m' } } : {}),
  };
  return YAML.stringify(config, { lineWidth: 0 });
}
