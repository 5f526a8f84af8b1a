import * as pulumi from '@pulumi/pulumi';
import { kubeflowFromConfig } from './kubeflow-install';
import { addonInstallFromConfig, connectionsFromConfig, deployEnvironment } from './program';
import { specFromSettings } from './spec-source';

// The Node SDK captures a whole stack trace for every resource it registers, and its run-time
// maps each through the source-map-support package it installs: 2 s of every program run on dev
// (578 resources), and `pulumi up` runs the program twice. Node's own formatting instead: errors
// point at build/*.js, beside which tsc writes the .map files.
Reflect.deleteProperty(Error, 'prepareStackTrace');

// Entry point of Pulumi.yaml: `pulumi up -s <env>` deploys environments/<env>.ts, or the spec in `specFile`.
const config = new pulumi.Config();
const spec = specFromSettings({ specFile: config.get('specFile'), environment: config.get('environment') }, pulumi.getStack());
const clusters = spec.clusters.map((c) => c.name);
const platforms = deployEnvironment(spec, connectionsFromConfig(config, clusters), addonInstallFromConfig(config), kubeflowFromConfig(config));

export const releases = Object.fromEntries(platforms.map((p, i) => [clusters[i], p.releaseNames]));
export const objects = Object.fromEntries(platforms.map((p, i) => [clusters[i], p.objectCount]));
