/**
 * Image references and their mirrored names. A mirror keeps one project per upstream registry
 * (Harbor proxy-cache projects, ECR pull-through prefixes, ACR cache rules all work this way):
 * quay.io/jetstack/cert-manager-controller:v1.21.1 -> <mirror host>/quay-io/jetstack/cert-manager-controller:v1.21.1
 */

export interface ImageRef {
  readonly host: string;
  readonly path: string;
  /** ':tag' or '' */
  readonly tag: string;
  /** '@sha256:...' or '' */
  readonly digest: string;
}

/** Splits a reference the way container runtimes do (Docker Hub when the first segment is no host). */
export function parseImage(ref: string): ImageRef {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at) : '';
  const rest = at >= 0 ? ref.slice(0, at) : ref;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  const tag = colon > lastSlash ? rest.slice(colon) : '';
  const name = colon > lastSlash ? rest.slice(0, colon) : rest;
  const first = name.split('/')[0];
  const hasHost = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const host = hasHost ? first : 'docker.io';
  const path = hasHost ? name.slice(first.length + 1) : name.includes('/') ? name : `library/${name}`;
  return { host, path, tag, digest };
}

/** Mirror project of an upstream registry: its host with dots and colons as dashes (quay.io -> quay-io). */
export const mirrorProject = (host: string): string => host.replace(/[.:]/g, '-');

/** The host part of a registry endpoint (harbor.example.com/ml -> harbor.example.com). */
export const endpointHost = (endpoint: string): string => endpoint.split('/')[0];

/** A repository or repository prefix (no tag) under the mirror. */
export function mirrorRepository(upstream: string, mirrorHost: string): string {
  const { host, path } = parseImage(upstream);
  return `${mirrorHost}/${mirrorProject(host)}/${path}`;
}

/** The registry value for charts that split registry and repository. */
export const mirrorRegistry = (upstreamHost: string, mirrorHost: string): string => `${mirrorHost}/${mirrorProject(upstreamHost)}`;

/** The mirrored name of an image; a reference already on the mirror is left as it is. */
export function mirrorImage(ref: string, mirrorHost: string): string {
  const img = parseImage(ref);
  if (img.host === mirrorHost) return ref;
  return `${mirrorHost}/${mirrorProject(img.host)}/${img.path}${img.tag}${img.digest}`;
}

/** The fully qualified form of a reference (docker.io/library/... for Docker Hub short names), for comparing lists. */
export function canonicalImage(ref: string): string {
  const img = parseImage(ref);
  return `${img.host}/${img.path}${img.tag}${img.digest}`;
}
