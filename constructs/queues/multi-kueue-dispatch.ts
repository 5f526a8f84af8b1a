import { Construct } from 'constructs';
import { AdmissionCheckV1Beta2, MultiKueueClusterV1Beta2, MultiKueueClusterV1Beta2SpecClusterSourceKubeConfigLocationType, MultiKueueConfigV1Beta2 } from '../../imports/kueue.x-k8s.io';
import { LABEL, PART_OF } from '../labels';
import { MULTIKUEUE_CHECK, MULTIKUEUE_CONFIG, MULTIKUEUE_CONTROLLER } from './queue-plan';

export interface MultiKueueDispatchProps {
  /** Burst clusters and the Secret holding each one's kubeconfig. */
  readonly clusters: readonly { readonly name: string; readonly kubeconfigSecret: string }[];
}

/**
 * On the primary: the admission check that sends admitted burst work to the burst clusters. Each
 * worker is reached through a kubeconfig Secret in Kueue's namespace, referenced by name and
 * created out of band (or by the Pulumi program from a stack secret), never written here.
 */
export class MultiKueueDispatch extends Construct {
  constructor(scope: Construct, id: string, props: MultiKueueDispatchProps) {
    super(scope, id);
    const labels = { [LABEL.partOf]: PART_OF };
    new AdmissionCheckV1Beta2(this, 'admission-check', {
      metadata: { name: MULTIKUEUE_CHECK, labels },
      spec: { controllerName: MULTIKUEUE_CONTROLLER, parameters: { apiGroup: 'kueue.x-k8s.io', kind: 'MultiKueueConfig', name: MULTIKUEUE_CONFIG } },
    });
    new MultiKueueConfigV1Beta2(this, 'config', {
      metadata: { name: MULTIKUEUE_CONFIG, labels },
      spec: { clusters: props.clusters.map((c) => c.name) },
    });
    for (const c of props.clusters) {
      new MultiKueueClusterV1Beta2(this, `cluster-${c.name}`, {
        metadata: { name: c.name, labels },
        spec: { clusterSource: { kubeConfig: { location: c.kubeconfigSecret, locationType: MultiKueueClusterV1Beta2SpecClusterSourceKubeConfigLocationType.SECRET } } },
      });
    }
  }
}
