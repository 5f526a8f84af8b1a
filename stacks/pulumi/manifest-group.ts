import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { ManifestObject } from '../manifests';

/** Objects as a JSON stream, one object a line: what a yaml/v2 ConfigGroup's `yaml` input reads (the provider's YAML-or-JSON decoder). */
export const manifestStream = (objs: readonly ManifestObject[]): string => objs.map((o) => JSON.stringify(o)).join('\n');

/** The objects of a manifestStream (tests). */
export const parseManifestStream = (text: string): ManifestObject[] => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as ManifestObject);

/**
 * A yaml/v2 ConfigGroup of plain objects, given to the provider as one string (`yaml`) rather than
 * as `objs`: the Node SDK serializes `objs` value by value into protobuf (most of 1.6 s of every
 * program run on dev, the Kubeflow CRDs above all; `pulumi up` runs the program twice), a string in
 * one piece. The provider parses the stream into the same objects, so the children, their names and
 * their state are those `objs` gives.
 */
export function manifestGroup(name: string, objs: readonly ManifestObject[], opts: pulumi.ComponentResourceOptions): k8s.yaml.v2.ConfigGroup {
  return new k8s.yaml.v2.ConfigGroup(name, { yaml: manifestStream(objs) }, opts);
}
