import * as YAML from 'yaml';
import { ManifestObject, toYaml } from '../../stacks/manifests';

describe('toYaml', () => {
  it('quotes strings a YAML 1.1 reader (kubectl, Go clients) would take for booleans or numbers', () => {
    const obj = { apiVersion: 'nvidia.com/v1', kind: 'ClusterPolicy', metadata: { name: 'p' }, spec: { ccManager: { defaultMode: 'on', enabled: true }, mode: '0755', flag: 'no' } } as ManifestObject;
    const text = toYaml([obj]);
    expect(text).toContain('defaultMode: "on"');
    expect(text).toContain('mode: "0755"');
    expect(text).toContain('flag: "no"');
    expect(text).toContain('enabled: true');
    // A YAML 1.1 reader sees the same values.
    expect(YAML.parse(text, { version: '1.1' })).toEqual(obj);
  });
});
