import { GroupVersionKind } from 'cdk8s';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { loadCrds } from '../support/crd-validator';
import { everyCluster } from '../support/synth';

/**
 * imports/ is what `cdk8s import` generates from the CRD fixtures cdk8s.yaml lists: never edited by
 * hand, and covering every custom resource kind the platform writes.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const IMPORTS = path.join(ROOT, 'imports');

function listed(): string[] {
  const config = YAML.parse(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8')) as { imports?: string[] };
  return config.imports ?? [];
}

/** apiVersion/kind of every class the generated modules export. */
function generatedKinds(): Set<string> {
  const kinds = new Set<string>();
  for (const f of fs.readdirSync(IMPORTS).filter((n) => n.endsWith('.ts'))) {
    const mod = require(path.join(IMPORTS, f)) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      const gvk = typeof value === 'function' ? (value as { GVK?: GroupVersionKind }).GVK : undefined;
      if (gvk !== undefined) kinds.add(`${gvk.apiVersion}/${gvk.kind}`);
    }
  }
  return kinds;
}

/**
 * Kinds the platform writes as ApiObject literals on purpose, each with the reason. Keep it short:
 * every entry is a kind `tsc` cannot check.
 */
const UNTYPED: Readonly<Record<string, string>> = {
  'serving.kserve.io/v1alpha2/LLMInferenceService': 'kserve-llmisvc.yaml is 4.3 MB of schema (the full pod template twice); its generated module would be the largest in imports/ and slow every tsc; not converted yet',
  'serving.kserve.io/v1alpha2/LLMInferenceServiceConfig': 'same CRD file as LLMInferenceService',
};

describe('generated CRD classes (imports/)', () => {
  let out: string;
  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'hml-cdk8s-import-'));
  });
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it('cdk8s.yaml imports only CRD fixtures (offline, pinned in test/fixtures/crds/SOURCES.md)', () => {
    const sources = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'crds', 'SOURCES.md'), 'utf8');
    expect(listed().length).toBeGreaterThan(0);
    for (const spec of listed()) {
      expect(spec).toMatch(/^test\/fixtures\/crds\/[a-z0-9-]+\.yaml$/);
      expect(fs.existsSync(path.join(ROOT, spec))).toBe(true);
      expect(sources).toContain(`\`${path.basename(spec)}\``);
    }
  });

  it('regenerating with `cdk8s import` gives imports/ byte for byte', () => {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'import', '--no-check-upgrade', '--output', out], { cwd: ROOT, stdio: 'pipe' });
    const files = (dir: string) => fs.readdirSync(dir).sort();
    expect(files(IMPORTS)).toEqual(files(out));
    for (const f of files(out)) {
      const same = fs.readFileSync(path.join(IMPORTS, f)).equals(fs.readFileSync(path.join(out, f)));
      if (!same) throw new Error(`imports/${f} differs from what \`npx cdk8s import\` generates: regenerate it (npx cdk8s import), never edit it by hand`);
    }
  }, 120000);

  it('every custom resource kind the platform writes has a generated class', () => {
    const defined = new Set(loadCrds().flatMap((crd) => crd.spec.versions.map((v) => `${crd.spec.group}/${v.name}/${crd.spec.names.kind}`)));
    const written = new Set(everyCluster().flatMap(([, , objects]) => objects.map((o) => `${o.apiVersion}/${o.kind}`)).filter((k) => defined.has(k)));
    const generated = generatedKinds();
    expect(written.size).toBeGreaterThan(20);
    expect([...written].filter((k) => !generated.has(k) && !UNTYPED[k]).sort()).toEqual([]);
    // An exemption that no longer applies is removed, not kept.
    expect(Object.keys(UNTYPED).filter((k) => !written.has(k) || generated.has(k))).toEqual([]);
  });
});
