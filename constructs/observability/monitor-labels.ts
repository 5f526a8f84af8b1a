import { LABEL, PART_OF } from '../labels';

/** API group/version of the Prometheus Operator kinds (CRDs from kube-prometheus-stack). */
export const MONITORING_API_VERSION = 'monitoring.coreos.com/v1';

/** Target label every add-on scrape gets, so one alert covers all of them (PlatformScrapeTargetDown). */
export const TARGET_LABEL = 'ml_platform_target';

/** Labels of the platform's monitoring objects. */
export function monitoringLabels(component: string): Record<string, string> {
  return { [LABEL.partOf]: PART_OF, 'app.kubernetes.io/component': component };
}

/** A Prometheus relabel rule (only the fields the platform uses). */
export interface Relabeling {
  readonly action: 'replace' | 'keep' | 'labeldrop';
  readonly sourceLabels?: readonly string[];
  readonly regex?: string;
  readonly targetLabel?: string;
  readonly replacement?: string;
}

/** Tags every sample of a target with its id. */
export const tagTarget = (id: string): Relabeling => ({ action: 'replace', targetLabel: TARGET_LABEL, replacement: id });
