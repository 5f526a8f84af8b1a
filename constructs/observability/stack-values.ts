import { ObservabilitySpec } from '../../environments/observability-schema';
import { LABEL } from '../labels';
import { LLM_WORKLOAD_POD } from './scrape-targets';

/**
 * Helm values the observability add-ons get from the spec; stacks/addon-selection.ts merges them
 * over the catalog defaults. Pure.
 */

/** Pod label the Kubeflow notebook controller puts on notebook pods (idle-notebook alert). */
export const NOTEBOOK_NAME_LABEL = 'notebook-name';

/** Share of the volume the TSDB may fill before Prometheus drops old blocks early: WAL and compaction need headroom. */
const TSDB_SHARE_OF_VOLUME = 0.85;

/**
 * kube-prometheus-stack: retention by time and by size (whichever is hit first), a persistent
 * volume, and the labels kube-state-metrics may expose. Namespace labels (team, stage, cost
 * center) are what GPU showback and OpenCost group by; the node pool label gives per-pool views; the
 * LLMInferenceService workload pod labels tell LLM model servers apart for serving GPU showback.
 */
export function kubePrometheusStackValues(obs: ObservabilitySpec): Record<string, unknown> {
  const volumeSpec: Record<string, unknown> = {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: `${obs.prometheusStorageGiB}Gi` } },
    ...(obs.storageClass === undefined ? {} : { storageClassName: obs.storageClass }),
  };
  return {
    prometheus: {
      prometheusSpec: {
        retention: `${obs.retentionDays}d`,
        retentionSize: `${Math.floor(obs.prometheusStorageGiB * TSDB_SHARE_OF_VOLUME)}GB`,
        storageSpec: { volumeClaimTemplate: { spec: volumeSpec } },
      },
    },
    'kube-state-metrics': {
      metricLabelsAllowlist: [
        `namespaces=[${[LABEL.team, LABEL.stage, LABEL.costCenter].join(',')}]`,
        `nodes=[${LABEL.pool}]`,
        `pods=[${[NOTEBOOK_NAME_LABEL, ...Object.keys(LLM_WORKLOAD_POD)].join(',')}]`,
      ],
    },
  };
}

/** OpenCost: names its cluster after the platform's, so costs of several clusters stay apart. */
export function openCostValues(clusterName: string): Record<string, unknown> {
  return { opencost: { exporter: { defaultClusterId: clusterName } } };
}
