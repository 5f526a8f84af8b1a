import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { LABEL, PART_OF } from '../labels';
import { celString } from '../cel-literal';

export interface TrustedImagePolicyProps {
  /** Registry prefixes images may come from, e.g. "harbor.example.com/ml" (a "/" is added so prefixes match whole path segments). */
  readonly allowedRegistries: readonly string[];
  /** Refuse images not pinned by digest. @default false */
  readonly requireDigest?: boolean;
}

export const TRUSTED_IMAGE_POLICY = 'ml-platform-trusted-images';

/** A CEL string literal. */

/** Pod spec of every kind the policy matches: Pods, pod templates, and CronJobs' job templates. */
const POD_SPEC =
  "object.kind == 'Pod' ? object.spec : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)";
const IMAGES =
  'variables.podSpec.containers.map(c, c.image)' +
  ' + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers.map(c, c.image) : [])' +
  ' + (has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers.map(c, c.image) : [])';

/**
 * Only trusted images in team namespaces, enforced by the API server itself (ValidatingAdmissionPolicy,
 * admissionregistration.k8s.io/v1, no extra controller). Every container, init container and ephemeral
 * container of Pods and of Deployment, StatefulSet, DaemonSet, ReplicaSet, Job and CronJob templates
 * must come from an allowed registry (and carry a digest where required). ML custom resources
 * (TrainJob, InferenceService, Notebook) are held to it at the Pods their controllers create.
 * cdk8s-plus-28 predates v1 of this API, so the objects are written as typed ApiObjects.
 */
export class TrustedImagePolicy extends Construct {
  constructor(scope: Construct, id: string, props: TrustedImagePolicyProps) {
    super(scope, id);
    if (props.allowedRegistries.length === 0) throw new Error('TrustedImagePolicy: allowedRegistries is empty, which would refuse every image; list at least the cluster registry');
    const prefixes = [...new Set(props.allowedRegistries.map((r) => (r.endsWith('/') ? r : `${r}/`)))].sort();
    const allowedList = `[${prefixes.map(celString).join(', ')}]`;
    const labels = { [LABEL.partOf]: PART_OF };
    const operations = ['CREATE', 'UPDATE'];

    const validations = [
      {
        expression: 'size(variables.untrusted) == 0',
        messageExpression: `'image ' + variables.untrusted[0] + ' is not from a trusted registry (allowed: ${prefixes.join(', ')})'`,
        reason: 'Forbidden',
      },
    ];
    if (props.requireDigest === true) {
      validations.push({
        expression: "variables.images.all(i, i.contains('@sha256:'))",
        messageExpression: "'image ' + variables.images.filter(i, !i.contains('@sha256:'))[0] + ' is not pinned by digest (use name@sha256:...)'",
        reason: 'Forbidden',
      });
    }

    new ApiObject(this, 'policy', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: TRUSTED_IMAGE_POLICY, labels },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            { apiGroups: [''], apiVersions: ['v1'], operations, resources: ['pods', 'pods/ephemeralcontainers'] },
            { apiGroups: ['apps'], apiVersions: ['v1'], operations, resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'] },
            { apiGroups: ['batch'], apiVersions: ['v1'], operations, resources: ['jobs', 'cronjobs'] },
          ],
        },
        variables: [
          { name: 'podSpec', expression: POD_SPEC },
          { name: 'images', expression: IMAGES },
          { name: 'untrusted', expression: `variables.images.filter(i, !${allowedList}.exists(p, i.startsWith(p)))` },
        ],
        validations,
      },
    });

    new ApiObject(this, 'binding', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: TRUSTED_IMAGE_POLICY, labels },
      spec: {
        policyName: TRUSTED_IMAGE_POLICY,
        validationActions: ['Deny'],
        // Team namespaces only: platform add-ons in system namespaces pull from their pinned upstreams or the mirror.
        matchResources: { namespaceSelector: { matchExpressions: [{ key: LABEL.team, operator: 'Exists' }] } },
      },
    });
  }
}
