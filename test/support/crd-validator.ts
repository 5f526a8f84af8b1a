import Ajv, { ValidateFunction } from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';

/** Where the upstream CRDs the project uses are kept (see SOURCES.md there). */
export const CRD_FIXTURES = path.join(__dirname, '..', 'fixtures', 'crds');

interface CrdVersion {
  name: string;
  served: boolean;
  schema?: { openAPIV3Schema?: Record<string, unknown> };
}
interface Crd {
  kind: string;
  spec: { group: string; names: { kind: string }; scope: string; versions: CrdVersion[] };
}

/** Every CRD of the fixtures, parsed. */
export function loadCrds(dir: string = CRD_FIXTURES): Crd[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS() as Crd))
    .filter((d) => d !== null && d.kind === 'CustomResourceDefinition');
}

/**
 * CRD patterns are Go (RE2) regular expressions: an inline `(?i)` flag becomes JavaScript's `i`
 * flag. Patterns JavaScript cannot express fail loudly rather than pass silently.
 */
function goRegExp(pattern: string, flags: string): RegExp {
  let extra = '';
  const stripped = pattern.replace(/\(\?([ims]+)\)/g, (_m, f: string) => {
    extra += f;
    return '';
  });
  return new RegExp(stripped, [...new Set(flags + extra)].join(''));
}
goRegExp.code = 'goRegExp';

/**
 * Validates custom resources against the openAPIV3Schema of their served CRD version. Structural
 * schema checks only: CEL rules (x-kubernetes-validations) are checked by the real API server in
 * the cluster tests.
 */
export class CrdValidator {
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: goRegExp } });

  constructor(crds: readonly Crd[] = loadCrds()) {
    for (const crd of crds) {
      for (const v of crd.spec.versions) {
        if (!v.served || v.schema?.openAPIV3Schema === undefined) continue;
        this.validators.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, this.ajv.compile(v.schema.openAPIV3Schema));
      }
    }
  }

  /** True when a served CRD version defines this apiVersion + kind. */
  knows(apiVersion: string, kind: string): boolean {
    return this.validators.has(`${apiVersion}/${kind}`);
  }

  /** Error messages (empty when valid); throws when no CRD defines the kind. */
  validate(obj: { apiVersion: string; kind: string }): string[] {
    const fn = this.validators.get(`${obj.apiVersion}/${obj.kind}`);
    if (fn === undefined) throw new Error(`no CRD fixture defines ${obj.apiVersion} ${obj.kind}: copy its CRD into test/fixtures/crds/`);
    return fn(obj) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
  }
}
