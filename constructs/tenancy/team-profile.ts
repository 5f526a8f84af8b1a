import { Construct } from 'constructs';
import { PodDefault, Profile, ProfileSpecResourceQuotaSpecHard } from '../../imports/kubeflow.org';
import { StageQuota } from '../../environments/schema';
import { GPU_TOLERATION } from '../gpu/gpu-scheduling';
import { LABEL, PART_OF } from '../labels';
import { workflowNamespaceName } from './platform-namespaces';
import { LOCAL_QUEUE } from '../queues/queue-plan';
import { quotaHard } from './resource-budget';
import { STAGE_SERVICE_ACCOUNT } from './workflow-namespace';

/**
 * Where Kubeflow's objects live in the platform's workflow namespaces. The team's Profile adopts the
 * training namespace (the home Kubeflow shows the team); notebooks run in data-prep and training,
 * pipelines and Katib experiments in training, TrainJobs in training (dispatched to burst clusters
 * through the `burst` queue), InferenceServices in serving, drift detectors in monitoring.
 */
export const KUBEFLOW_NAMESPACE_MAP = {
  profile: 'training',
  notebooks: ['data-prep', 'training'],
  pipelines: ['training'],
  katib: ['training'],
  trainJobs: ['training'],
  inferenceServices: ['serving'],
} as const;

/** Label a notebook or pod sets to get the stage defaults. */
export const STAGE_DEFAULTS_LABEL = 'ml.platform/stage-defaults';

/** Annotation the Profiles controller reads to adopt an existing namespace. */
export const PROFILE_OWNER_ANNOTATION = 'owner';

export interface TeamProfileProps {
  /** Team name. */
  readonly team: string;
  /** Cost center label value. */
  readonly costCenter: string;
  /** Group that owns the profile (the team's first ML engineer group). */
  readonly ownerGroup: string;
  /** The team's training quota: the profile's quota repeats it so both agree. */
  readonly quota: StageQuota;
  /** DRA devices the training namespace may claim per DeviceClass, as its WorkflowNamespace has them. @default none */
  readonly deviceClassDevices?: Readonly<Record<string, number>>;
}

/** Name of a team's Profile: the namespace it adopts. */
export const profileName = (team: string): string => workflowNamespaceName(team, KUBEFLOW_NAMESPACE_MAP.profile);

/**
 * A team in Kubeflow: a Profile that adopts the team's training namespace (owner from the spec,
 * quota equal to the namespace's) and PodDefaults that give notebooks the stage's service account,
 * GPU toleration and, where a queue exists, the Kueue queue label.
 */
export class TeamProfile extends Construct {
  constructor(scope: Construct, id: string, props: TeamProfileProps) {
    super(scope, id);
    const labels = { [LABEL.partOf]: PART_OF, [LABEL.team]: props.team, [LABEL.costCenter]: props.costCenter };
    new Profile(this, 'profile', {
      metadata: { name: profileName(props.team), labels },
      spec: {
        owner: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: props.ownerGroup },
        resourceQuotaSpec: { hard: Object.fromEntries(Object.entries(quotaHard(props.quota, props.deviceClassDevices ?? {})).map(([k, v]) => [k, ProfileSpecResourceQuotaSpecHard.fromString(v)])) },
      },
    });
    for (const stage of KUBEFLOW_NAMESPACE_MAP.notebooks) {
      const queued = stage === 'training';
      new PodDefault(this, `pod-default-${stage}`, {
        metadata: { name: 'stage-defaults', namespace: workflowNamespaceName(props.team, stage), labels: { ...labels, [LABEL.stage]: stage } },
        spec: {
          desc: queued ? 'Stage service account, GPU queue and GPU toleration' : 'Stage service account and GPU toleration',
          selector: { matchLabels: { [STAGE_DEFAULTS_LABEL]: 'true' } },
          serviceAccountName: STAGE_SERVICE_ACCOUNT,
          automountServiceAccountToken: false,
          tolerations: [{ ...GPU_TOLERATION }],
          ...(queued ? { labels: { 'kueue.x-k8s.io/queue-name': LOCAL_QUEUE } } : {}),
        },
      });
    }
  }
}
