import { CLUSTER_PROVIDED_CRD_GROUPS, LLM_SERVING } from '../../constructs/catalog';

/**
 * API groups whose CRDs a Pulumi stack expects on the cluster before `pulumi up`: those cluster
 * provisioning brings (Karpenter, Cluster API, GKE), and the Gateway API's. The Flux delivery
 * installs the Gateway API CRDs itself (a GitRepository of the pinned release); the Pulumi program
 * does not yet, because they ship as a release file, not a chart (see README, Serving LLMs). Their
 * objects are applied after those CRDs, with the platform's other custom resources.
 */
export const PREREQUISITE_CRD_GROUPS: readonly string[] = [...CLUSTER_PROVIDED_CRD_GROUPS, ...LLM_SERVING.crdGroups];
