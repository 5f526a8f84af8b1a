import { ENVIRONMENTS, loadEnvironment } from '../../environments';
import { ClusterManifests, ManifestObject, renderEnvironment } from '../../stacks/manifests';

/** Every shipped environment rendered once per test file (rendering is pure, so caching is safe). */
const cache = new Map<string, ClusterManifests[]>();

export function rendered(env: string): ClusterManifests[] {
  let r = cache.get(env);
  if (r === undefined) {
    r = renderEnvironment(loadEnvironment(env));
    cache.set(env, r);
  }
  return r;
}

export const ENV_NAMES = Object.keys(ENVIRONMENTS);

/** [env, cluster, objects] for every cluster of every environment: the policy tests' universe. */
export function everyCluster(): [string, string, ManifestObject[]][] {
  return ENV_NAMES.flatMap((env) => rendered(env).map((c): [string, string, ManifestObject[]] => [env, c.cluster.name, c.files.flatMap((f) => [...f.objects])]));
}
