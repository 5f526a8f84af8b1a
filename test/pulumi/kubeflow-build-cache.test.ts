import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ManifestObject } from '../../stacks/manifests';
import { cachedKubeflowBuilder, defaultKubeflowBuildCache, kubeflowBuildKey, parseKubeflowBuildCache } from '../../stacks/pulumi/kubeflow-build-cache';
import { KubeflowBuilder } from '../../stacks/pulumi/kubeflow-install';
import { KubeflowKustomization } from '../../stacks/pulumi/kubeflow-plan';

/** A manifests folder, a stand-in kustomize binary (only its size and mtime are read) and a cache dir. */
function fixture(): { root: string; manifests: string; kustomize: string; cache: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kf-cache-'));
  const manifests = path.join(root, 'manifests');
  fs.mkdirSync(path.join(manifests, '26.03', 'apps'), { recursive: true });
  fs.writeFileSync(path.join(manifests, '26.03', 'apps', 'kustomization.yaml'), 'resources: []\n');
  const kustomize = path.join(root, 'kustomize');
  fs.writeFileSync(kustomize, 'binary');
  return { root, manifests, kustomize, cache: path.join(root, 'cache') };
}

const kustomization = (name: string, patch = 'a'): KubeflowKustomization =>
  ({ metadata: { name }, spec: { path: `./apps/${name}`, patches: [{ target: { kind: 'Deployment' }, patch }] } }) as unknown as KubeflowKustomization;

const built: ManifestObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'kubeflow' } };

describe('Kubeflow build cache (stack setting kubeflowBuildCache)', () => {
  let f: ReturnType<typeof fixture>;
  let runs: number;
  const counting: KubeflowBuilder = (ks) => {
    runs += 1;
    return new Map(ks.map((k) => [k.metadata.name, [built]]));
  };
  beforeEach(() => {
    f = fixture();
    runs = 0;
  });
  afterEach(() => fs.rmSync(f.root, { recursive: true, force: true }));

  it('builds once for the same inputs and answers the second run from the cache', () => {
    const build = cachedKubeflowBuilder(counting, f.cache, f.kustomize, f.manifests);
    const first = build([kustomization('pipelines')]);
    const second = build([kustomization('pipelines')]);
    expect(runs).toBe(1);
    expect([...second]).toEqual([...first]);
    expect(fs.readdirSync(f.cache).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('builds afresh when a manifest file, an overlay or the kustomize binary changes', () => {
    const build = cachedKubeflowBuilder(counting, f.cache, f.kustomize, f.manifests);
    const key = (): string => kubeflowBuildKey(f.kustomize, f.manifests, [kustomization('pipelines')]);
    const before = key();
    build([kustomization('pipelines')]);
    fs.writeFileSync(path.join(f.manifests, '26.03', 'apps', 'kustomization.yaml'), 'resources: [a.yaml]\n');
    expect(key()).not.toBe(before);
    build([kustomization('pipelines')]);
    build([kustomization('pipelines', 'b')]);
    fs.writeFileSync(f.kustomize, 'another binary');
    build([kustomization('pipelines', 'b')]);
    expect(runs).toBe(4);
  });

  it('is on by default under XDG_CACHE_HOME, off with "off", and refuses a relative directory', () => {
    expect(defaultKubeflowBuildCache({ XDG_CACHE_HOME: '/var/cache/me' })).toBe('/var/cache/me/hybrid-ml-platform/kubeflow-builds');
    expect(parseKubeflowBuildCache(undefined)).toBe(defaultKubeflowBuildCache());
    expect(parseKubeflowBuildCache('off')).toBeUndefined();
    expect(parseKubeflowBuildCache('/tmp/kf')).toBe('/tmp/kf');
    expect(() => parseKubeflowBuildCache('cache')).toThrow(/kubeflowBuildCache must be an absolute directory or off \(got "cache"\)/);
  });
});
