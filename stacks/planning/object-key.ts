import { apiGroupOf, ManifestObject } from '../manifests';

/**
 * What identifies one object on a cluster: API group, kind, namespace and name. The version is
 * left out on purpose: moving an object from `v1beta1` to `v1` changes it, it does not replace it.
 */
export function objectKey(o: ManifestObject): string {
  const group = apiGroupOf(o.apiVersion);
  const ns = o.metadata.namespace ?? '';
  return `${group === '' ? 'core' : group}/${o.kind} ${ns === '' ? '' : `${ns}/`}${o.metadata.name}`;
}
