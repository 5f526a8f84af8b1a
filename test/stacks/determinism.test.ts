import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ENVIRONMENTS } from '../../environments';
import { synthesize } from '../../stacks/synth';

function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

describe('synth is reproducible', () => {
  const a = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-a-'));
  const b = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-b-'));
  afterAll(() => [a, b].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('two synths of every environment are identical byte for byte', () => {
    synthesize(Object.keys(ENVIRONMENTS), a);
    synthesize(Object.keys(ENVIRONMENTS), b);
    const ta = readTree(a);
    const tb = readTree(b);
    expect([...ta.keys()]).toEqual([...tb.keys()]);
    for (const [file, bytes] of ta) expect(bytes.equals(tb.get(file) as Buffer)).toBe(true);
    expect(ta.size).toBeGreaterThanOrEqual(6 * 3);
  });

  it('writes dist/<env>/<cluster>/ in apply order: namespaces, add-on delivery, platform objects, custom resources', () => {
    expect(fs.readdirSync(path.join(a, 'staging'))).toEqual(['aws-use1', 'onprem-dc1']);
    expect(fs.readdirSync(path.join(a, 'dev', 'local'))).toEqual(['00-namespaces.yaml', '10-addons.yaml', '20-platform.yaml', '30-custom-resources.yaml']);
  });

  it('a bad spec writes nothing', () => {
    const c = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-c-'));
    try {
      expect(() => synthesize(['dev', 'no-such-env'], c)).toThrow(/unknown environment "no-such-env"/);
      expect(fs.readdirSync(c)).toEqual([]);
    } finally {
      fs.rmSync(c, { recursive: true, force: true });
    }
  });
});
