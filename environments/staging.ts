import { PlatformSpecInput } from './schema';

/** An on-prem primary with A100s plus one AWS burst cluster, two teams. */
export const staging: PlatformSpecInput = {
  name: 'staging',
  platformAdmins: ['platform-admins', 'sre-oncall'],
  clusters: [
    {
      name: 'onprem-dc1',
      provider: 'onprem',
      role: 'primary',
      kubernetesVersion: '1.34',
      region: 'dc1',
      registry: { endpoint: 'harbor.staging.example.internal/ml', pullSecretName: 'registry-pull' },
      gpuPools: [
        { name: 'a100', gpuModel: 'A100-80GB', gpusPerNode: 8, minNodes: 2, maxNodes: 2, capacityType: 'static', nodeNamePattern: '^dc1-a100-[0-9]+$' },
        { name: 'a100-mig', gpuModel: 'A100-80GB', gpusPerNode: 8, minNodes: 1, maxNodes: 1, capacityType: 'static', sharing: 'mig', migProfile: '3g.40gb', nodeNamePattern: '^dc1-a100mig-[0-9]+$' },
      ],
    },
    {
      name: 'aws-use1',
      provider: 'aws',
      role: 'burst',
      kubernetesVersion: '1.34',
      region: 'us-east-1',
      registry: { endpoint: '123456789012.dkr.ecr.us-east-1.amazonaws.com/ml' },
      gpuPools: [
        { name: 'l40s-spot', gpuModel: 'L40S', gpusPerNode: 4, minNodes: 0, maxNodes: 4, capacityType: 'spot' },
      ],
    },
  ],
  teams: [
    {
      name: 'vision',
      costCenter: 'cc-2001',
      groups: { mlEngineers: ['vision-mle'], dataScientists: ['vision-ds'], viewers: ['vision-viewers'] },
      quotas: {
        'data-prep': { cpu: 16, memoryGiB: 64, storageGiB: 2000, maxPods: 50 },
        training: { cpu: 64, memoryGiB: 512, gpu: 16, storageGiB: 4000, maxPods: 100 },
        serving: { cpu: 16, memoryGiB: 64, gpu: 4, storageGiB: 100, maxPods: 50 },
        monitoring: { cpu: 4, memoryGiB: 16, storageGiB: 100, maxPods: 20 },
      },
      poolQuotas: { a100: 8, 'a100-mig': 8, 'l40s-spot': 8 },
      // Multi-node: two pods of 2 A100s each (pipeline parallel over a LeaderWorkerSet).
      // 24 GiB per pod: two pods and the endpoint picker fit the serving quota (64 GiB).
      llmServices: [{ name: 'caption-32b', modelUri: 's3://models/qwen2.5-vl-32b-instruct', pool: 'a100', gpusPerReplica: 2, nodesPerReplica: 2, memoryGiB: 24, minReplicas: 1, maxReplicas: 2 }],
    },
    {
      name: 'nlp',
      costCenter: 'cc-2002',
      groups: { mlEngineers: ['nlp-mle'], dataScientists: ['nlp-ds'], viewers: [] },
      quotas: {
        'data-prep': { cpu: 16, memoryGiB: 64, storageGiB: 2000, maxPods: 50 },
        training: { cpu: 64, memoryGiB: 512, gpu: 12, storageGiB: 4000, maxPods: 100 },
        serving: { cpu: 16, memoryGiB: 64, gpu: 4, storageGiB: 100, maxPods: 50 },
        monitoring: { cpu: 4, memoryGiB: 16, storageGiB: 100, maxPods: 20 },
      },
      poolQuotas: { a100: 8, 'a100-mig': 8, 'l40s-spot': 8 },
      queueing: { borrowingLimitPercent: 50, lendingLimitPercent: 25, fairShareWeight: 1 },
      llmServices: [{ name: 'llama-8b', modelName: 'llama-3.1-8b-instruct', modelUri: 's3://models/llama-3.1-8b-instruct', pool: 'a100', gpusPerReplica: 1, minReplicas: 1, maxReplicas: 4 }],
    },
  ],
  network: { objectStoreCidrs: ['10.40.0.0/16'] },
  images: { mirror: true, signed: [{ registry: 'harbor.staging.example.internal/ml', publicKeySecret: 'ml-signing-key' }] },
};
