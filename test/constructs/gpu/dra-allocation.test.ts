import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { addon } from '../../../constructs/catalog';
import { deviceClassBudget, deviceClassMappings, draDeviceSelector, DRIVER_DEVICE_CLASSES, planDra } from '../../../constructs/gpu/dra-allocation';
import { DraDeviceClasses } from '../../../constructs/gpu/dra-device-classes';
import { draDriverValues } from '../../../constructs/gpu/dra-driver-values';
import { poolNodeLabels } from '../../../constructs/gpu/gpu-scheduling';
import { planQueues } from '../../../constructs/queues/queue-plan';
import { clusterStages, loadEnvironment } from '../../../environments';
import { addonsFor, clusterValues } from '../../../stacks/addon-selection';
import { dig } from '../../support/dig';
import { testChart } from '../../support/test-chart';

const prod = loadEnvironment('prod');
const primary = prod.clusters[0];
const draPool = primary.gpuPools.find((p) => p.gpuAllocation === 'dra');

describe('DRA pools', () => {
  it('prod has one, on its primary', () => {
    expect(draPool?.name).toBe('h100-dra');
  });

  it('selects the pool devices by driver, type, product and memory; MIG pools by profile', () => {
    expect(draDeviceSelector({ gpuModel: 'H100', sharing: 'none', migProfile: undefined })).toBe(
      "device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'gpu' && device.attributes['gpu.nvidia.com'].productName == 'NVIDIA H100 80GB HBM3' && device.capacity['gpu.nvidia.com'].memory.compareTo(quantity('72Gi')) >= 0",
    );
    expect(draDeviceSelector({ gpuModel: 'A100-80GB', sharing: 'mig', migProfile: '3g.40gb' })).toBe(
      "device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'mig' && device.attributes['gpu.nvidia.com'].profile == '3g.40gb' && device.attributes['gpu.nvidia.com'].productName == 'NVIDIA A100-SXM4-80GB'",
    );
  });

  it('puts the claim template only where a team with quota on the pool queues work', () => {
    const [plan] = planDra(prod, primary, clusterStages(prod, primary));
    expect(plan.namespaces.map((n) => n.name)).toEqual(['search-training', 'search-serving', 'ads-training', 'ads-serving', 'risk-training', 'risk-serving']);
    const withoutRisk = { ...prod, teams: prod.teams.map((t) => (t.name === 'risk' ? { ...t, poolQuotas: { ...t.poolQuotas, 'h100-dra': 0 } } : t)) };
    expect(planDra(withoutRisk, primary, clusterStages(prod, primary))[0].namespaces.some((n) => n.team === 'risk')).toBe(false);
    // Burst clusters have no DRA pool in prod: nothing there.
    expect(planDra(prod, prod.clusters[1], clusterStages(prod, prod.clusters[1]))).toEqual([]);
  });

  it('gives the namespace ResourceQuota the stage budget on the pool class and 0 on the driver catch-all classes', () => {
    const plans = planDra(prod, primary, clusterStages(prod, primary));
    expect(deviceClassBudget(plans, 'search-training', 52)).toEqual({ 'gpu.nvidia.com': 0, 'mig.nvidia.com': 0, 'vfio.gpu.nvidia.com': 0, 'h100-dra.gpu.ml.platform': 52 });
    expect(deviceClassBudget(plans, 'search-data-prep', 0)).toEqual({ 'gpu.nvidia.com': 0, 'mig.nvidia.com': 0, 'vfio.gpu.nvidia.com': 0, 'h100-dra.gpu.ml.platform': 0 });
    expect(deviceClassBudget([], 'search-training', 52)).toEqual({});
    expect(DRIVER_DEVICE_CLASSES).toEqual(['gpu.nvidia.com', 'mig.nvidia.com', 'vfio.gpu.nvidia.com']);
  });

  it('renders one DeviceClass and a claim template per namespace, one device each', () => {
    const chart = testChart();
    new DraDeviceClasses(chart, 'dra', { pools: planDra(prod, primary, clusterStages(prod, primary)) });
    const objs = Testing.synth(chart) as { kind: string; metadata: { name: string; namespace?: string; labels: Record<string, string> }; spec: unknown }[];
    expect(objs.filter((o) => o.kind === 'DeviceClass').map((o) => o.metadata.name)).toEqual(['h100-dra.gpu.ml.platform']);
    const rct = objs.find((o) => o.kind === 'ResourceClaimTemplate' && o.metadata.namespace === 'ads-serving');
    expect(dig(rct, 'spec.spec.devices.requests')).toEqual([{ name: 'gpu', exactly: { deviceClassName: 'h100-dra.gpu.ml.platform', allocationMode: 'ExactCount', count: 1 } }]);
    expect(rct?.metadata.labels).toMatchObject({ 'ml.platform/team': 'ads', 'ml.platform/stage': 'serving', 'ml.platform/cost-center': 'cc-3002' });
  });

  it("counts the pool's devices in Kueue as the pool's own resource, on the pool's flavor, with each team's quota", () => {
    const config = YAML.parse(dig(clusterValues(addon('kueue'), prod, primary), 'managerConfig.controllerManagerConfigYaml') as string);
    expect(config.resources).toEqual({ deviceClassMappings: [{ name: 'dra.ml.platform/h100-dra', deviceClassNames: ['h100-dra.gpu.ml.platform'] }] });
    expect(deviceClassMappings([])).toEqual([]);
    const cq = planQueues(prod, primary, clusterStages(prod, primary)).clusterQueues.find((q) => q.name === 'search');
    const group = cq?.resourceGroups.find((g) => g.coveredResources.includes('dra.ml.platform/h100-dra'));
    expect(group?.flavors).toEqual([{ name: 'h100-dra', resources: [{ name: 'dra.ml.platform/h100-dra', nominalQuota: '4', borrowingLimit: '4', lendingLimit: '2' }] }]);
    // The extended-resource group does not offer the DRA pool's flavor.
    expect(cq?.resourceGroups.find((g) => g.coveredResources.includes('nvidia.com/gpu'))?.flavors.map((f) => f.name)).not.toContain('h100-dra');
    // Clusters without DRA pools get no resources block.
    const dev = loadEnvironment('dev');
    expect(YAML.parse(dig(clusterValues(addon('kueue'), dev, dev.clusters[0]), 'managerConfig.controllerManagerConfigYaml') as string).resources).toBeUndefined();
  });

  it('installs the DRA driver only beside a DRA pool, its kubelet plugin only on DRA nodes, where the device plugin stays off', () => {
    expect(addonsFor(prod, primary).map((a) => a.id)).toContain('dra-driver-nvidia-gpu');
    for (const c of prod.clusters.slice(1)) expect(addonsFor(prod, c).map((a) => a.id)).not.toContain('dra-driver-nvidia-gpu');
    expect(draDriverValues(primary)).toEqual({ nvidiaDriverRoot: '/run/nvidia/driver', kubeletPlugin: { nodeSelector: { 'ml.platform/gpu-allocation': 'dra' } } });
    expect(clusterValues(addon('dra-driver-nvidia-gpu'), prod, primary)).toMatchObject({ gpuResourcesEnabledOverride: true, resourceApiVersion: 'resource.k8s.io/v1', resources: { gpus: { enabled: true }, computeDomains: { enabled: false } } });
    expect(poolNodeLabels(draPool as never)).toMatchObject({ 'ml.platform/gpu-allocation': 'dra', 'nvidia.com/gpu.deploy.device-plugin': 'false' });
    const other = primary.gpuPools.find((p) => p.name === 'h100');
    expect(poolNodeLabels(other as never)['nvidia.com/gpu.deploy.device-plugin']).toBeUndefined();
  });
});
