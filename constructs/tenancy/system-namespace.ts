import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { NamespaceSecurity } from '../catalog';
import { LABEL, PART_OF } from '../labels';

const { k8s } = kplus;

export interface SystemNamespaceProps {
  /** Namespace name. */
  readonly name: string;
  /** Pod Security level and, when not restricted, why. */
  readonly security: NamespaceSecurity;
  /** Pod Security Admission policy version, e.g. "v1.34". */
  readonly podSecurityVersion: string;
}

/**
 * A namespace the platform runs its own parts in. Restricted unless the catalog says why not; the
 * reason is kept on the namespace so an auditor finds it where the exception is.
 */
export class SystemNamespace extends Construct {
  constructor(scope: Construct, id: string, props: SystemNamespaceProps) {
    super(scope, id);
    if (props.security.level !== 'restricted' && (props.security.reason ?? '').trim() === '') {
      throw new Error(`namespace "${props.name}": Pod Security level "${props.security.level}" needs a reason in the catalog (namespaceSecurity.reason)`);
    }
    const labels: Record<string, string> = { [LABEL.partOf]: PART_OF };
    for (const mode of ['enforce', 'audit', 'warn']) {
      labels[`pod-security.kubernetes.io/${mode}`] = props.security.level;
      labels[`pod-security.kubernetes.io/${mode}-version`] = props.podSecurityVersion;
    }
    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: props.name,
        labels,
        annotations: props.security.reason === undefined ? undefined : { 'ml.platform/pod-security-reason': props.security.reason },
      },
    });
  }
}
