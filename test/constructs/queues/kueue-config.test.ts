import * as YAML from 'yaml';
import { kueueManagerConfig } from '../../../constructs/queues/kueue-config';
import { loadEnvironment } from '../../../environments';
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
});
