import * as pulumi from '@pulumi/pulumi';
import { loadEnvironment } from '../../environments';
import { kubeflowFromConfig } from './kubeflow-install';
import { addonInstallFromConfig, connectionsFromConfig, deployEnvironment } from './program';

// Entry point of Pulumi.yaml: `pulumi up -s <env>` deploys environments/<env>.ts.
const config = new pulumi.Config();
const environment = config.get('environment') ?? pulumi.getStack();
const clusters = loadEnvironment(environment).clusters.map((c) => c.name);
const platforms = deployEnvironment(environment, connectionsFromConfig(config, clusters), addonInstallFromConfig(config), kubeflowFromConfig(config));

export const releases = Object.fromEntries(platforms.map((p, i) => [clusters[i], p.releaseNames]));
export const objects = Object.fromEntries(platforms.map((p, i) => [clusters[i], p.objectCount]));
