import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { ENVIRONMENTS } from '../../environments';
import { loadSpecFile, specFromSettings } from '../../stacks/pulumi/spec-source';

describe('the spec a stack deploys (stack settings specFile, environment)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spec-source-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads a YAML or JSON spec file and validates it like a shipped environment', () => {
    const file = path.join(dir, 'estate.yaml');
    fs.writeFileSync(file, YAML.stringify({ ...ENVIRONMENTS.dev, name: 'estate' }));
    expect(specFromSettings({ specFile: file }, 'ignored').name).toBe('estate');
    fs.writeFileSync(path.join(dir, 'estate.json'), JSON.stringify(ENVIRONMENTS.prod));
    expect(loadSpecFile(path.join(dir, 'estate.json')).clusters).toHaveLength(3);
  });

  it('names the setting, the file and the field when the file is missing or wrong', () => {
    expect(() => loadSpecFile(path.join(dir, 'none.yaml'))).toThrow(/config specFile: .*none\.yaml does not exist/);
    fs.writeFileSync(path.join(dir, 'broken.yaml'), 'name: [unclosed\n');
    expect(() => loadSpecFile(path.join(dir, 'broken.yaml'))).toThrow(/config specFile: .*broken\.yaml is not JSON or YAML/);
    fs.writeFileSync(path.join(dir, 'bad.yaml'), YAML.stringify({ ...ENVIRONMENTS.dev, teams: [{ ...ENVIRONMENTS.dev.teams[0], costCenter: 7 }] }));
    expect(() => loadSpecFile(path.join(dir, 'bad.yaml'))).toThrow(/bad\.yaml[\s\S]*teams\[0\]\.costCenter/);
  });

  it('without specFile: the shipped environment `environment`, else the stack name', () => {
    expect(specFromSettings({}, 'staging').name).toBe('staging');
    expect(specFromSettings({ environment: 'prod' }, 'staging').name).toBe('prod');
    expect(() => specFromSettings({}, 'qa')).toThrow(/unknown environment "qa"/);
  });
});
