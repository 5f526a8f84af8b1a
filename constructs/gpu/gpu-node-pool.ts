import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { MachineDeploymentV1Beta2, MachineHealthCheckV1Beta2, MachineHealthCheckV1Beta2SpecRemediationTriggerIfUnhealthyLessThanOrEqualTo } from '../../imports/cluster.x-k8s.io';
import { AksNodeClassV1Beta1, AksNodeClassV1Beta1SpecGpuMode, AksNodeClassV1Beta1SpecImageFamily } from '../../imports/karpenter.azure.com';
import {
  Ec2NodeClass, Ec2NodeClassSpecBlockDeviceMappingsEbsVolumeType, Ec2NodeClassSpecMetadataOptionsHttpEndpoint, Ec2NodeClassSpecMetadataOptionsHttpProtocolIPv6,
  Ec2NodeClassSpecMetadataOptionsHttpTokens,
} from '../../imports/karpenter.k8s.aws';
import { NodePool, NodePoolSpecDisruptionConsolidationPolicy, NodePoolSpecLimits, NodePoolSpecTemplateSpecRequirementsOperator, NodePoolSpecTemplateSpecTaintsEffect } from '../../imports/karpenter.sh';
import { NodeFeatureRule, NodeFeatureRuleSpecRulesMatchFeaturesMatchExpressionsOp } from '../../imports/nfd.k8s-sigs.io';
import { crdEnum } from '../crd-enum';
import { CLOUD_MACHINE_TYPES } from '../../environments/gpu-models';
import { ClusterSpec, GpuPoolSpec } from '../../environments/schema';
import { CLOUD_NODE_IMAGES } from '../catalog';
import { GPU_TAINT, poolNodeLabels } from './gpu-scheduling';
import { LABEL, PART_OF } from '../labels';

export interface GpuNodePoolProps {
  /** The cluster the pool belongs to (provider, name). */
  readonly cluster: Pick<ClusterSpec, 'name' | 'provider'>;
  /** The provider-neutral pool spec. */
  readonly pool: GpuPoolSpec;
}

/** Labels a Kueue ResourceFlavor selects a pool's nodes by. GKE names the node pool by compute class. */
export function poolSelectorLabels(provider: ClusterSpec['provider'], pool: GpuPoolSpec): Record<string, string> {
  return provider === 'gcp' ? { 'cloud.google.com/compute-class': pool.name } : { [LABEL.pool]: pool.name };
}

/** Node-name prefix of machines a Cluster API MachineDeployment creates. */
export const machineDeploymentName = (cluster: string, pool: string): string => `${cluster}-${pool}`;

/** GPUs the pool may grow to: the autoscaler's limit. */
const gpuLimit = (pool: GpuPoolSpec): number => (pool.enabled ? pool.maxNodes * pool.gpusPerNode : 0);

/** Karpenter waits this long before removing an empty GPU node: short jobs often follow each other. */
const CONSOLIDATE_AFTER = '10m';

/**
 * One GPU pool, rendered for its provider: Karpenter NodePool + EC2NodeClass (aws) or AKSNodeClass
 * (azure), a GKE ComputeClass (gcp), or Node Feature Discovery rules for on-prem nodes (plus a Cluster
 * API MachineDeployment and MachineHealthCheck when Cluster API manages them). Every variant gives
 * the nodes the same labels and the `nvidia.com/gpu=present:NoSchedule` taint.
 */
export class GpuNodePool extends Construct {
  constructor(scope: Construct, id: string, props: GpuNodePoolProps) {
    super(scope, id);
    const { cluster, pool } = props;
    switch (cluster.provider) {
      case 'aws':
        this.karpenter(pool, { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass' }, this.machineType('aws', pool));
        new Ec2NodeClass(this, 'node-class', {
          metadata: { name: pool.name, labels: this.labels(pool) },
          spec: {
            amiSelectorTerms: [{ alias: CLOUD_NODE_IMAGES.awsAmiAlias }],
            role: `KarpenterNodeRole-${cluster.name}`,
            subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': cluster.name } }],
            securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': cluster.name } }],
            // Model weights and images are large; encrypted gp3 root volume.
            blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '200Gi', volumeType: Ec2NodeClassSpecBlockDeviceMappingsEbsVolumeType.GP3, encrypted: true, deleteOnTermination: true } }],
            // IMDSv2 only, one hop: pods cannot borrow the node's cloud identity.
            metadataOptions: {
              httpEndpoint: Ec2NodeClassSpecMetadataOptionsHttpEndpoint.ENABLED,
              httpProtocolIPv6: Ec2NodeClassSpecMetadataOptionsHttpProtocolIPv6.DISABLED,
              httpPutResponseHopLimit: 1,
              httpTokens: Ec2NodeClassSpecMetadataOptionsHttpTokens.REQUIRED,
            },
          },
        });
        break;
      case 'azure':
        this.karpenter(pool, { group: 'karpenter.azure.com', kind: 'AKSNodeClass' }, this.machineType('azure', pool));
        new AksNodeClassV1Beta1(this, 'node-class', {
          metadata: { name: pool.name, labels: this.labels(pool) },
          spec: { imageFamily: crdEnum(AksNodeClassV1Beta1SpecImageFamily, CLOUD_NODE_IMAGES.azureImageFamily, 'CLOUD_NODE_IMAGES.azureImageFamily'), osDiskSizeGb: 256, gpu: { mode: AksNodeClassV1Beta1SpecGpuMode.DRIVER } },
        });
        break;
      case 'gcp':
        // GKE's ComputeClass has no CRD in the shared set to generate a class from (test/fixtures/crds/SOURCES.md).
        new ApiObject(this, 'compute-class', {
          apiVersion: 'cloud.google.com/v1',
          kind: 'ComputeClass',
          metadata: { name: pool.name, labels: this.labels(pool) },
          spec: {
            priorities: [{ gpu: { type: this.machineType('gcp', pool), count: pool.gpusPerNode }, spot: pool.capacityType === 'spot', ...(pool.capacityType === 'reserved' ? { reservations: { affinity: 'AnyBestEffort' } } : {}) }],
            nodePoolAutoCreation: { enabled: true },
            whenUnsatisfiable: 'DoNotScaleUp',
          },
        });
        break;
      case 'onprem':
      case 'local':
        this.nodeFeatureRule(cluster.name, pool);
        if (pool.managedBy === 'cluster-api') this.clusterApi(cluster.name, pool);
        break;
    }
  }

  private labels(pool: GpuPoolSpec): Record<string, string> {
    return { [LABEL.partOf]: PART_OF, [LABEL.pool]: pool.name };
  }

  private machineType(cloud: 'aws' | 'azure' | 'gcp', pool: GpuPoolSpec): string {
    const type = CLOUD_MACHINE_TYPES[cloud][pool.gpuModel]?.[pool.gpusPerNode];
    if (type === undefined) throw new Error(`GPU pool "${pool.name}": ${cloud} has no machine with ${pool.gpusPerNode} x ${pool.gpuModel} (the spec check should have refused it)`);
    return type;
  }

  private karpenter(pool: GpuPoolSpec, nodeClass: { group: string; kind: string }, instanceType: string): void {
    new NodePool(this, 'node-pool', {
      metadata: { name: pool.name, labels: this.labels(pool) },
      spec: {
        template: {
          metadata: { labels: poolNodeLabels(pool) },
          spec: {
            nodeClassRef: { ...nodeClass, name: pool.name },
            requirements: [
              { key: 'node.kubernetes.io/instance-type', operator: NodePoolSpecTemplateSpecRequirementsOperator.IN, values: [instanceType] },
              { key: 'karpenter.sh/capacity-type', operator: NodePoolSpecTemplateSpecRequirementsOperator.IN, values: [pool.capacityType] },
              { key: 'kubernetes.io/arch', operator: NodePoolSpecTemplateSpecRequirementsOperator.IN, values: ['amd64'] },
            ],
            taints: [{ ...GPU_TAINT, effect: NodePoolSpecTemplateSpecTaintsEffect.NO_SCHEDULE }],
            expireAfter: '720h',
          },
        },
        limits: { 'nvidia.com/gpu': NodePoolSpecLimits.fromString(String(gpuLimit(pool))) },
        // Never consolidate a busy GPU node: evicting a training job wastes more than the node costs.
        disruption: { consolidationPolicy: NodePoolSpecDisruptionConsolidationPolicy.WHEN_EMPTY, consolidateAfter: CONSOLIDATE_AFTER, budgets: [{ nodes: '10%' }] },
      },
    });
  }

  private nodeFeatureRule(clusterName: string, pool: GpuPoolSpec): void {
    const pattern = pool.managedBy === 'cluster-api' ? `^${machineDeploymentName(clusterName, pool.name)}-` : (pool.nodeNamePattern as string);
    new NodeFeatureRule(this, 'node-feature-rule', {
      metadata: { name: `gpu-pool-${pool.name}`, labels: this.labels(pool) },
      spec: {
        rules: [
          {
            name: `gpu-pool-${pool.name}`,
            labels: poolNodeLabels(pool),
            taints: [{ ...GPU_TAINT }],
            // An NVIDIA PCI device (vendor 10de) on a node whose name belongs to the pool.
            matchFeatures: [
              { feature: 'pci.device', matchExpressions: { vendor: { op: NodeFeatureRuleSpecRulesMatchFeaturesMatchExpressionsOp.IN, value: ['10de'] } } },
              { feature: 'system.name', matchExpressions: { nodename: { op: NodeFeatureRuleSpecRulesMatchFeaturesMatchExpressionsOp.IN_REGEXP, value: [pattern] } } },
            ],
          },
        ],
      },
    });
  }

  private clusterApi(clusterName: string, pool: GpuPoolSpec): void {
    const capi = pool.clusterApi;
    if (capi === undefined) throw new Error(`GPU pool "${pool.name}": managedBy cluster-api needs clusterApi templates`);
    const name = machineDeploymentName(clusterName, pool.name);
    const selector = { matchLabels: { 'cluster.x-k8s.io/cluster-name': clusterName, 'cluster.x-k8s.io/deployment-name': name } };
    new MachineDeploymentV1Beta2(this, 'machine-deployment', {
      metadata: {
        name,
        namespace: capi.namespace,
        labels: this.labels(pool),
        // The cluster autoscaler's Cluster API provider reads its bounds from these annotations.
        annotations: {
          'cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size': String(pool.minNodes),
          'cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size': String(pool.enabled ? pool.maxNodes : 0),
        },
      },
      spec: {
        clusterName,
        replicas: pool.enabled ? pool.minNodes : 0,
        selector,
        template: {
          metadata: { labels: selector.matchLabels },
          spec: {
            clusterName,
            bootstrap: { configRef: { ...capi.bootstrapConfigRef } },
            infrastructureRef: { ...capi.infrastructureRef },
          },
        },
      },
    });
    new MachineHealthCheckV1Beta2(this, 'machine-health-check', {
      metadata: { name, namespace: capi.namespace, labels: this.labels(pool) },
      spec: {
        clusterName,
        selector,
        checks: {
          nodeStartupTimeoutSeconds: 1800,
          unhealthyNodeConditions: [
            { type: 'Ready', status: 'False', timeoutSeconds: 600 },
            { type: 'Ready', status: 'Unknown', timeoutSeconds: 600 },
          ],
        },
        // Replace at most one GPU machine at a time: they are few and expensive.
        remediation: { triggerIf: { unhealthyLessThanOrEqualTo: MachineHealthCheckV1Beta2SpecRemediationTriggerIfUnhealthyLessThanOrEqualTo.fromNumber(1) } },
      },
    });
  }
}
