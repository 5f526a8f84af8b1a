/**
 * Pure checks on built Kubeflow objects, shared by the upstream suite and the CRD fixture refresh
 * (refresh-crd-fixtures.ts).
 */
import { ManifestObject } from '../../../stacks/manifests';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Schema keywords whose values are maps of names to schemas (a property may be *named* description). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas']);
/** Keywords holding data, not schemas. */
const DATA_KEYWORDS = new Set(['default', 'enum', 'example', 'examples', 'const', 'x-kubernetes-validations']);

/** A JSON schema without its `description` keywords (as the shared CRD set strips them); properties named `description` stay. */
export function withoutDescriptions(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutDescriptions);
  if (!isObject(schema)) return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'description' && typeof v === 'string') continue;
    if (SCHEMA_MAPS.has(k) && isObject(v)) out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, withoutDescriptions(s)]));
    else if (DATA_KEYWORDS.has(k)) out[k] = v;
    else out[k] = withoutDescriptions(v);
  }
  return out;
}

/** A CRD as the fixtures keep it: every schema description removed, nothing else changed. */
export function fixtureForm(crd: ManifestObject): ManifestObject {
  const spec = crd.spec as { versions?: { schema?: { openAPIV3Schema?: unknown } }[] };
  return {
    ...crd,
    spec: {
      ...spec,
      versions: (spec.versions ?? []).map((v) => (v.schema?.openAPIV3Schema === undefined ? v : { ...v, schema: { ...v.schema, openAPIV3Schema: withoutDescriptions(v.schema.openAPIV3Schema) } })),
    },
  };
}

/** Kustomize's selector semantics: name and namespace are anchored regular expressions. */
export function matchesTarget(o: ManifestObject, target: Readonly<Record<string, string>>): boolean {
  const anchored = (re: string, value: string | undefined): boolean => new RegExp(`^(?:${re})$`).test(value ?? '');
  if (target.kind !== undefined && !anchored(target.kind, o.kind)) return false;
  if (target.name !== undefined && !anchored(target.name, o.metadata.name)) return false;
  if (target.namespace !== undefined && !anchored(target.namespace, o.metadata.namespace)) return false;
  if (target.group !== undefined && !anchored(target.group, o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '')) return false;
  if (target.version !== undefined && !anchored(target.version, o.apiVersion.split('/').pop())) return false;
  return true;
}

/** The value at a JSON pointer (RFC 6901), or undefined. */
export function atPointer(value: unknown, pointer: string): unknown {
  let cur: unknown = value;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) cur = cur[Number(key)];
    else if (isObject(cur)) cur = cur[key];
    else return undefined;
  }
  return cur;
}

export const objectKey = (o: ManifestObject): string => `${o.kind} ${o.metadata.namespace === undefined ? '' : `${o.metadata.namespace}/`}${o.metadata.name}`;
export const crdKey = (apiVersion: string, kind: string): string => `${apiVersion.includes('/') ? apiVersion.split('/')[0] : ''}/${kind}`;
