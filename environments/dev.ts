import { PlatformSpecInput } from './schema';

/** One local cluster (the embedded test control plane or kind), one team, a small time-sliced GPU pool. */
export const dev: PlatformSpecInput = {
  name: 'dev',
  platformAdmins: ['platform-admins'],
  clusters: [
    {
      name: 'local',
      provider: 'local',
      role: 'primary',
      kubernetesVersion: '1.35',
      registry: { endpoint: 'registry.dev.internal:5000/ml' },
      gpuPools: [
        { name: 'shared-t4', gpuModel: 'T4', gpusPerNode: 1, minNodes: 0, maxNodes: 2, capacityType: 'static', sharing: 'time-slicing', timeSlicingReplicas: 4, nodeNamePattern: '^dev-gpu-[0-9]+$' },
      ],
    },
  ],
  teams: [
    {
      name: 'research',
      costCenter: 'cc-1001',
      groups: { mlEngineers: ['research-ml-engineers'], dataScientists: ['research-data-scientists'], viewers: ['research-viewers'] },
      quotas: {
        'data-prep': { cpu: 4, memoryGiB: 16, storageGiB: 100, maxPods: 20 },
        training: { cpu: 8, memoryGiB: 32, sharedGpu: 4, storageGiB: 200, maxPods: 20 },
        serving: { cpu: 4, memoryGiB: 16, sharedGpu: 2, storageGiB: 20, maxPods: 20 },
        monitoring: { cpu: 2, memoryGiB: 4, storageGiB: 20, maxPods: 10 },
      },
      poolQuotas: { 'shared-t4': 6 },
      // A 0.5B model: 2 CPUs and 8 GiB fit the serving quota (4 CPUs, 16 GiB) next to its endpoint picker.
      llmServices: [{ name: 'chat-small', modelUri: 'hf://Qwen/Qwen2.5-0.5B-Instruct', pool: 'shared-t4', gpusPerReplica: 1, cpu: 2, memoryGiB: 8, minReplicas: 1, maxReplicas: 2 }],
    },
  ],
};
