import * as pulumi from '@pulumi/pulumi';
import { kubeflowFromConfig } from './kubeflow-install';
import { addonInstallFromConfig, connectionsFromConfig, deployEnvironment } from './program';
import { specFromSettings } from './spec-source';

// Entry point of Pulumi.yaml: `pulumi up -s <env>` deploys environments/<env>.ts, or the spec in `specFile`.
const config = new pulumi.Config();
const spec = specFromSettings({ specFile: config.get('specFile'), environment: config.get('environment') }, pulumi.getStack());
const clusters = spec.clusters.map((c) => c.name);
const platforms = deployEnvironment(spec, connectionsFromConfig(config, clusters), addonInstallFromConfig(config), kubeflowFromConfig(config));

export const releases = Object.fromEntries(platforms.map((p, i) => [clusters[i], p.releaseNames]));
export const objects = Object.fromEntries(platforms.map((p, i) => [clusters[i], p.objectCount]));
