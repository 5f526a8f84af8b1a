import { CLUSTER_PROVIDED_CRD_GROUPS } from '../../constructs/catalog';

/**
 * API groups whose CRDs a Pulumi stack expects on the cluster before `pulumi up`: those cluster
 * provisioning brings (Karpenter, Cluster API, GKE). Their objects are applied after those CRDs,
 * with the platform's other custom resources. (The Gateway API's CRDs the program applies itself:
 * gateway-api-crds.ts.)
 */
export const PREREQUISITE_CRD_GROUPS: readonly string[] = [...CLUSTER_PROVIDED_CRD_GROUPS];
