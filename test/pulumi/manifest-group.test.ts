import { manifestStream, parseManifestStream } from '../../stacks/pulumi/manifest-group';
import { ManifestObject } from '../../stacks/manifests';

describe('manifestStream (a ConfigGroup\'s objects as one string)', () => {
  const objs: ManifestObject[] = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'x' }, data: { script: 'line 1\n---\nline 3', quote: "it's \"quoted\"" } } as ManifestObject,
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
  ];

  it('writes one JSON object a line, in order: newlines and document separators inside values stay escaped', () => {
    const text = manifestStream(objs);
    expect(text.split('\n')).toHaveLength(2);
    expect(text.startsWith('{')).toBe(true);
    expect(parseManifestStream(text)).toEqual(objs);
  });

  it('is empty for no objects', () => {
    expect(manifestStream([])).toBe('');
    expect(parseManifestStream('')).toEqual([]);
  });
});
