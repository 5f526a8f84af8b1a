import { PlatformSpecInput } from './schema';

/** On-prem H100 pools (one by DRA) as primary, AWS and Azure burst clusters, three teams. */
export const prod: PlatformSpecInput = {
  name: 'prod',
  platformAdmins: ['platform-admins'],
  clusters: [
    {
      name: 'onprem-h100',
      provider: 'onprem',
      role: 'primary',
      kubernetesVersion: '1.34',
      region: 'dc1',
      registry: { endpoint: 'harbor.prod.example.internal/ml', pullSecretName: 'registry-pull' },
      gpuPools: [
        { name: 'h100', gpuModel: 'H100', gpusPerNode: 8, minNodes: 4, maxNodes: 8, capacityType: 'static', managedBy: 'cluster-api',
          clusterApi: {
            namespace: 'onprem-h100',
            infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'Metal3MachineTemplate', name: 'h100-workers' },
            bootstrapConfigRef: { apiGroup: 'bootstrap.cluster.x-k8s.io', kind: 'KubeadmConfigTemplate', name: 'gpu-workers' },
          },
        },
        { name: 'h100-mig', gpuModel: 'H100', gpusPerNode: 8, minNodes: 1, maxNodes: 2, capacityType: 'static', sharing: 'mig', migProfile: '1g.10gb', nodeNamePattern: '^dc1-h100mig-[0-9]+$' },
        { name: 'l4-shared', gpuModel: 'L4', gpusPerNode: 4, minNodes: 1, maxNodes: 2, capacityType: 'static', sharing: 'time-slicing', timeSlicingReplicas: 8, nodeNamePattern: '^dc1-l4-[0-9]+$' },
        // GPUs by Dynamic Resource Allocation: claims from the pool's ResourceClaimTemplate, the NVIDIA DRA driver on these nodes.
        { name: 'h100-dra', gpuModel: 'H100', gpusPerNode: 8, minNodes: 1, maxNodes: 1, capacityType: 'static', gpuAllocation: 'dra', nodeNamePattern: '^dc1-h100dra-[0-9]+$' },
      ],
    },
    {
      name: 'aws-usw2',
      provider: 'aws',
      role: 'burst',
      kubernetesVersion: '1.34',
      region: 'us-west-2',
      registry: { endpoint: '123456789012.dkr.ecr.us-west-2.amazonaws.com/ml' },
      gpuPools: [
        { name: 'h100-od', gpuModel: 'H100', gpusPerNode: 8, minNodes: 0, maxNodes: 4, capacityType: 'on-demand' },
        { name: 'a10g-spot', gpuModel: 'A10G', gpusPerNode: 4, minNodes: 0, maxNodes: 8, capacityType: 'spot' },
      ],
    },
    {
      name: 'azure-weu',
      provider: 'azure',
      role: 'burst',
      kubernetesVersion: '1.34',
      region: 'westeurope',
      registry: { endpoint: 'mlprod.azurecr.io/ml' },
      gpuPools: [
        { name: 'a100-spot', gpuModel: 'A100-80GB', gpusPerNode: 8, minNodes: 0, maxNodes: 4, capacityType: 'spot' },
      ],
    },
  ],
  teams: [
    {
      name: 'search',
      costCenter: 'cc-3001',
      groups: { mlEngineers: ['search-mle'], dataScientists: ['search-ds'], viewers: ['search-viewers'] },
      quotas: {
        'data-prep': { cpu: 64, memoryGiB: 256, storageGiB: 20000, maxPods: 200 },
        training: { cpu: 256, memoryGiB: 2048, gpu: 52, sharedGpu: 8, storageGiB: 50000, maxPods: 300 },
        serving: { cpu: 64, memoryGiB: 256, gpu: 8, sharedGpu: 16, storageGiB: 500, maxPods: 200 },
        monitoring: { cpu: 8, memoryGiB: 32, storageGiB: 500, maxPods: 50 },
      },
      poolQuotas: { h100: 24, 'h100-mig': 32, 'l4-shared': 24, 'h100-dra': 4, 'h100-od': 16, 'a10g-spot': 8, 'a100-spot': 16 },
      // Multi-node: a 70B model over two H100 nodes, 4 GPUs each.
      llmServices: [{ name: 'assistant-70b', modelName: 'llama-3.3-70b-instruct', modelUri: 's3://models/llama-3.3-70b-instruct', pool: 'h100', gpusPerReplica: 4, nodesPerReplica: 2, minReplicas: 1, maxReplicas: 3 }],
      queueing: { borrowingLimitPercent: 100, lendingLimitPercent: 50, fairShareWeight: 2 },
    },
    {
      name: 'ads',
      costCenter: 'cc-3002',
      groups: { mlEngineers: ['ads-mle'], dataScientists: ['ads-ds'], viewers: ['ads-viewers'] },
      quotas: {
        'data-prep': { cpu: 64, memoryGiB: 256, storageGiB: 20000, maxPods: 200 },
        training: { cpu: 256, memoryGiB: 2048, gpu: 50, sharedGpu: 8, storageGiB: 50000, maxPods: 300 },
        serving: { cpu: 64, memoryGiB: 256, gpu: 8, sharedGpu: 16, storageGiB: 500, maxPods: 200 },
        monitoring: { cpu: 8, memoryGiB: 32, storageGiB: 500, maxPods: 50 },
      },
      poolQuotas: { h100: 24, 'h100-mig': 32, 'l4-shared': 24, 'h100-dra': 2, 'h100-od': 8, 'a10g-spot': 16, 'a100-spot': 8 },
      llmServices: [{ name: 'ads-copy-8b', modelUri: 's3://models/llama-3.1-8b-instruct', pool: 'h100', gpusPerReplica: 1, minReplicas: 2, maxReplicas: 4 }],
      queueing: { borrowingLimitPercent: 100, lendingLimitPercent: 50, fairShareWeight: 2 },
    },
    {
      name: 'risk',
      costCenter: 'cc-3003',
      groups: { mlEngineers: ['risk-mle'], dataScientists: ['risk-ds'], viewers: [] },
      quotas: {
        'data-prep': { cpu: 32, memoryGiB: 128, storageGiB: 10000, maxPods: 100 },
        training: { cpu: 128, memoryGiB: 1024, gpu: 26, storageGiB: 20000, maxPods: 150 },
        serving: { cpu: 32, memoryGiB: 128, gpu: 4, sharedGpu: 8, storageGiB: 200, maxPods: 100 },
        monitoring: { cpu: 4, memoryGiB: 16, storageGiB: 200, maxPods: 30 },
      },
      poolQuotas: { h100: 16, 'h100-mig': 12, 'l4-shared': 8, 'h100-dra': 2, 'h100-od': 8, 'a10g-spot': 8, 'a100-spot': 8 },
      llmServices: [{ name: 'risk-summarizer', modelUri: 's3://models/qwen2.5-3b-instruct', pool: 'l4-shared', gpusPerReplica: 1, minReplicas: 1, maxReplicas: 2 }],
    },
  ],
  network: { objectStoreCidrs: ['10.50.0.0/16', '10.51.0.0/16'] },
  images: {
    requireDigest: true,
    mirror: true,
    signed: [{ registry: 'harbor.prod.example.internal/ml', keyless: { issuer: 'https://token.actions.githubusercontent.com', subjectRegExp: '^https://github\\.com/example-org/ml-models/' } }],
  },
};
