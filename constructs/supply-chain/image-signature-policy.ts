import { Construct } from 'constructs';
import { ClusterImagePolicyV1Beta1 } from '../../imports/policy.sigstore.dev';
import { ImagesSpec } from '../../environments/images-schema';
import { LABEL, PART_OF } from '../labels';

/** Namespace label that opts a namespace into signature verification by the policy controller. */
export const SIGNATURE_OPT_IN_LABEL = 'policy.sigstore.dev/include';

export interface ImageSignaturePolicyProps {
  /** Registries whose images must be signed, with their signers. */
  readonly signed: ImagesSpec['signed'];
}

/** Fulcio, the public certificate authority keyless signatures chain to. */
const FULCIO_URL = 'https://fulcio.sigstore.dev';

/**
 * Sigstore policy-controller ClusterImagePolicies: images of each signed registry must carry a
 * signature from the given public key (kept in a Secret, referenced by name) or keyless identity.
 * Namespaces opt in with the `policy.sigstore.dev/include=true` label.
 */
export class ImageSignaturePolicy extends Construct {
  constructor(scope: Construct, id: string, props: ImageSignaturePolicyProps) {
    super(scope, id);
    props.signed.forEach((signer, i) => {
      if ((signer.publicKeySecret === undefined) === (signer.keyless === undefined)) {
        throw new Error(`images.signed[${i}] (${signer.registry}): give exactly one of publicKeySecret or keyless`);
      }
      const authority = signer.publicKeySecret !== undefined
        ? { name: 'key', key: { secretRef: { name: signer.publicKeySecret } } }
        : { name: 'keyless', keyless: { url: FULCIO_URL, identities: [{ issuer: signer.keyless?.issuer, subjectRegExp: signer.keyless?.subjectRegExp }] } };
      new ClusterImagePolicyV1Beta1(this, `policy-${i}`, {
        metadata: { name: `signed-${signer.registry.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`, labels: { [LABEL.partOf]: PART_OF } },
        spec: { images: [{ glob: `${signer.registry}/**` }], authorities: [authority] },
      });
    });
  }
}
