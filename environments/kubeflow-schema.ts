import { z } from 'zod';

/** Kubeflow components an environment can turn on. */
export const KUBEFLOW_COMPONENTS = ['dashboard', 'notebooks', 'pipelines', 'trainer', 'katib', 'kserve', 'model-registry'] as const;
export type KubeflowComponentName = (typeof KUBEFLOW_COMPONENTS)[number];

/** The Kubeflow install of an environment (on its primary cluster). */
export const kubeflowSchema = z.strictObject({
  /** Components to install; Profiles, PodDefaults and Istio come with any of them. */
  components: z.array(z.enum(KUBEFLOW_COMPONENTS)).default([...KUBEFLOW_COMPONENTS]),
  /** Minutes a notebook may sit idle before the culler stops it (GPUs are not for idle kernels). */
  notebookIdleMinutes: z.int().min(10).max(10080).default(60),
});

export type KubeflowSpec = z.output<typeof kubeflowSchema>;
