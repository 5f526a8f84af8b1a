import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { clusterPolicyValues, GpuSharingConfig } from '../../../constructs/gpu/gpu-sharing-config';
import { GpuPoolSpec, loadEnvironment } from '../../../environments';
import { migSlicesPerGpu } from '../../../environments/gpu-models';
import { dig } from '../../support/dig';
import { CrdValidator, loadCrds } from '../../support/crd-validator';
import { testChart } from '../../support/test-chart';

const base: GpuPoolSpec = { name: 'p', enabled: true, gpuModel: 'H100', gpusPerNode: 8, minNodes: 1, maxNodes: 1, capacityType: 'static', sharing: 'none', gpuAllocation: 'extended-resources', managedBy: 'static', nodeNamePattern: '^x$' };

describe('GpuSharingConfig', () => {
  it('renames time-sliced GPUs to nvidia.com/gpu.shared, one config per pool', () => {
    const chart = testChart();
    new GpuSharingConfig(chart, 's', { namespace: 'gpu-operator', pools: [{ ...base, name: 'l4', gpuModel: 'L4', sharing: 'time-slicing', timeSlicingReplicas: 8 }] });
    const [cm] = Testing.synth(chart);
    expect(cm.metadata).toMatchObject({ name: 'gpu-time-slicing', namespace: 'gpu-operator' });
    expect(YAML.parse(cm.data.l4)).toEqual({ version: 'v1', flags: { migStrategy: 'none' }, sharing: { timeSlicing: { renameByDefault: true, failRequestsGreaterThanOne: true, resources: [{ name: 'nvidia.com/gpu', replicas: 8 }] } } });
  });

  it('splits every GPU of a MIG pool into its profile, as many slices as fit', () => {
    const chart = testChart();
    new GpuSharingConfig(chart, 's', { namespace: 'gpu-operator', pools: [{ ...base, sharing: 'mig', migProfile: '1g.10gb' }] });
    const [cm] = Testing.synth(chart);
    expect(YAML.parse(cm.data['config.yaml'])['mig-configs']).toEqual({
      'all-disabled': [{ devices: 'all', 'mig-enabled': false }],
      'all-1g.10gb': [{ devices: 'all', 'mig-enabled': true, 'mig-devices': { '1g.10gb': 7 } }],
    });
  });

  it('MIG slice arithmetic follows compute and memory limits', () => {
    expect(migSlicesPerGpu('H100', '1g.10gb')).toBe(7);
    expect(migSlicesPerGpu('H100', '1g.20gb')).toBe(4);
    expect(migSlicesPerGpu('H100', '3g.40gb')).toBe(2);
    expect(migSlicesPerGpu('A100-40GB', '2g.10gb')).toBe(3);
    expect(migSlicesPerGpu('H100', '7g.80gb')).toBe(1);
  });

  it('turns drivers on on-prem only, and points the operator at the sharing configs', () => {
    expect(dig(clusterPolicyValues({ provider: 'onprem', gpuPools: [] }), 'driver.enabled')).toBe(true);
    expect(dig(clusterPolicyValues({ provider: 'aws', gpuPools: [] }), 'driver.enabled')).toBe(false);
    const prod = loadEnvironment('prod').clusters[0];
    expect(clusterPolicyValues(prod)).toMatchObject({ devicePlugin: { config: { name: 'gpu-time-slicing' } }, mig: { strategy: 'single' }, migManager: { enabled: true, config: { name: 'gpu-mig-layouts', default: 'all-disabled' } } });
  });

  it('the values are valid ClusterPolicy fields of the pinned operator', () => {
    const crd = loadCrds().find((c) => c.spec.names.kind === 'ClusterPolicy')!;
    const specSchema = (crd.spec.versions[0].schema?.openAPIV3Schema as { properties: { spec: { properties: Record<string, unknown> } } }).properties.spec;
    const validator = new CrdValidator([{ ...crd, spec: { ...crd.spec, names: { kind: 'Fragment' }, versions: [{ name: 'v1', served: true, schema: { openAPIV3Schema: { type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, ...specSchema.properties }, additionalProperties: false } } }] } }]);
    for (const cluster of [...loadEnvironment('prod').clusters, ...loadEnvironment('dev').clusters]) {
      expect(validator.validate({ apiVersion: 'nvidia.com/v1', kind: 'Fragment', ...clusterPolicyValues(cluster) })).toEqual([]);
    }
    expect(validator.validate({ apiVersion: 'nvidia.com/v1', kind: 'Fragment', mig: { strategy: 'sometimes' } } as never)).not.toEqual([]);
  });
});

describe('secure accelerator access in the ClusterPolicy values', () => {
  it.each(['onprem', 'aws', 'azure', 'gcp', 'local'] as const)('%s: the toolkit ignores NVIDIA_VISIBLE_DEVICES from unprivileged containers; devices go by CDI', (provider) => {
    const values = clusterPolicyValues({ provider, gpuPools: [base] });
    expect(dig(values, 'toolkit.env')).toEqual([
      { name: 'ACCEPT_NVIDIA_VISIBLE_DEVICES_ENVVAR_WHEN_UNPRIVILEGED', value: 'false' },
      { name: 'ACCEPT_NVIDIA_VISIBLE_DEVICES_AS_VOLUME_MOUNTS', value: 'true' },
    ]);
    expect(dig(values, 'cdi.enabled')).toBe(true);
  });
});

