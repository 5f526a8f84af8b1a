import * as YAML from 'yaml';
import { kueueConfigOptions, kueueManagerConfig } from '../../../constructs/queues/kueue-config';
import { loadEnvironment, parseSpec } from '../../../environments';
import { prod as prodInput } from '../../../environments/prod';
import { clusterValues } from '../../../stacks/addon-selection';
import { addon } from '../../../constructs/catalog';
import { dig } from '../../support/dig';

describe('Kueue manager configuration', () => {
  it('turns on fair sharing, pods-ready waiting and the platform integrations', () => {
    const config = YAML.parse(kueueManagerConfig({ multiKueue: false }));
    expect(config).toMatchObject({ apiVersion: 'config.kueue.x-k8s.io/v1beta2', kind: 'Configuration', manageJobsWithoutQueueName: true, waitForPodsReady: { timeout: '10m' } });
    expect(config.fairSharing.preemptionStrategies).toEqual(['LessThanOrEqualToFinalShare', 'LessThanInitialShare']);
    expect(config.integrations.frameworks).toEqual(expect.arrayContaining(['batch/job', 'trainer.kubeflow.org/trainjob', 'deployment']));
    expect(config.multiKueue).toBeUndefined();
  });

  it('configures MultiKueue only on a primary that has burst clusters', () => {
    const prod = loadEnvironment('prod');
    const kueue = addon('kueue');
    const on = (cluster: number) => YAML.parse(dig(clusterValues(kueue, prod, prod.clusters[cluster]), 'managerConfig.controllerManagerConfigYaml') as string).multiKueue;
    expect(on(0)).toBeDefined();
    expect(on(1)).toBeUndefined();
    const dev = loadEnvironment('dev');
    expect(YAML.parse(dig(clusterValues(kueue, dev, dev.clusters[0]), 'managerConfig.controllerManagerConfigYaml') as string).multiKueue).toBeUndefined();
  });

  it("takes a lost burst cluster's jobs back after the spec's burst.workerLostTimeoutMinutes (default 5)", () => {
    const kueue = addon('kueue');
    const multiKueueOf = (spec: ReturnType<typeof loadEnvironment>) =>
      YAML.parse(dig(clusterValues(kueue, spec, spec.clusters[0]), 'managerConfig.controllerManagerConfigYaml') as string).multiKueue;
    const prod = loadEnvironment('prod');
    expect(prod.burst.workerLostTimeoutMinutes).toBe(5);
    expect(multiKueueOf(prod)).toEqual({ gcInterval: '1m', origin: 'multikueue', workerLostTimeout: '5m' });
    const patient = parseSpec({ ...prodInput, burst: { workerLostTimeoutMinutes: 20 } }, 'prod');
    expect(multiKueueOf(patient).workerLostTimeout).toBe('20m');
    expect(kueueConfigOptions(patient, patient.clusters[1])).toEqual({ multiKueue: false, deviceClassMappings: [] });
  });
});
