import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { LABEL, PART_OF } from '../labels';
import { DraPoolPlan } from './dra-allocation';

/** DRA's API version: GA (resource.k8s.io/v1) from Kubernetes 1.34, the minimum a DRA pool accepts. */
export const RESOURCE_API = 'resource.k8s.io/v1';

/** Claim name inside a claim template's pods' containers (`resources.claims[].name`). */
export const CLAIM_REQUEST = 'gpu';

export interface DraDeviceClassesProps {
  /** The cluster's DRA pools (see planDra). */
  readonly pools: readonly DraPoolPlan[];
}

/**
 * Per DRA pool: the DeviceClass selecting its devices, and in each team namespace allowed on the
 * pool a ResourceClaimTemplate for one device of it. A pod asks for one device per claim it names;
 * Kueue counts the claims' devices against the team's quota on the pool.
 */
export class DraDeviceClasses extends Construct {
  constructor(scope: Construct, id: string, props: DraDeviceClassesProps) {
    super(scope, id);
    for (const plan of props.pools) {
      const labels = { [LABEL.partOf]: PART_OF, [LABEL.pool]: plan.pool };
      new ApiObject(this, `class-${plan.pool}`, {
        apiVersion: RESOURCE_API,
        kind: 'DeviceClass',
        metadata: { name: plan.deviceClass, labels },
        spec: { selectors: [{ cel: { expression: plan.selector } }] },
      });
      for (const ns of plan.namespaces) {
        new ApiObject(this, `claim-${plan.pool}-${ns.name}`, {
          apiVersion: RESOURCE_API,
          kind: 'ResourceClaimTemplate',
          metadata: { name: plan.claimTemplate, namespace: ns.name, labels: { ...labels, [LABEL.team]: ns.team, [LABEL.stage]: ns.stage, [LABEL.costCenter]: ns.costCenter } },
          spec: { spec: { devices: { requests: [{ name: CLAIM_REQUEST, exactly: { deviceClassName: plan.deviceClass, allocationMode: 'ExactCount', count: 1 } }] } } },
        });
      }
    }
  }
}
