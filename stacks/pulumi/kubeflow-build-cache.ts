/**
 * Kubeflow's kustomize builds, kept between program runs. `pulumi up` runs the program twice
 * (preview, then update) and a no-op up as often: building every Kubeflow Kustomization each time
 * was 11 s of each run on 2 cores, more than the engine spent on the install's resources.
 *
 * An entry is keyed by everything the build reads: the content of every file in the manifests
 * folder (a 16 MB tree hashes in well under a second), the kustomize binary (path, size, mtime)
 * and each Kustomization's overlay (path, namespace, patches, images). Any change builds afresh;
 * entries are plain JSON written atomically, so a half-written entry is never read.
 *
 * Stack setting `kubeflowBuildCache`: a directory, or `off`.
 * @default $XDG_CACHE_HOME/hybrid-ml-platform/kubeflow-builds (~/.cache when unset)
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ManifestObject } from '../manifests';
import { kubeflowOverlay } from '../upstream/kubeflow-build';
import type { KubeflowBuilder } from './kubeflow-install';
import { userCacheDir } from './user-cache';

/** The default cache directory of the Kubeflow builds. */
export function defaultKubeflowBuildCache(env: NodeJS.ProcessEnv = process.env): string {
  return userCacheDir('kubeflow-builds', env);
}

/** Stack setting `kubeflowBuildCache`: undefined (off), or the directory. */
export function parseKubeflowBuildCache(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return defaultKubeflowBuildCache();
  if (value === 'off') return undefined;
  if (!path.isAbsolute(value)) throw new Error(`config kubeflowBuildCache must be an absolute directory or off (got "${value}")`);
  return value;
}

function hashTree(hash: ReturnType<typeof createHash>, root: string, dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      hashTree(hash, root, p);
    } else if (entry.isFile()) {
      hash.update(`${path.relative(root, p)}\0`);
      hash.update(fs.readFileSync(p));
      hash.update('\0');
    }
  }
}

/** The key of one build: the manifests' content, the kustomize binary and the overlays. */
export function kubeflowBuildKey(kustomize: string, manifestsDir: string, kustomizations: Parameters<KubeflowBuilder>[0]): string {
  const hash = createHash('sha256');
  const bin = fs.statSync(kustomize);
  hash.update(`kustomize ${path.resolve(kustomize)} ${bin.size} ${bin.mtimeMs}\0`);
  hashTree(hash, manifestsDir, manifestsDir);
  hash.update(JSON.stringify(kustomizations.map((k) => [k.metadata.name, kubeflowOverlay(k, '.')])));
  return hash.digest('hex');
}

/** `build`, answered from `cacheDir` when the same inputs were built before. */
export function cachedKubeflowBuilder(build: KubeflowBuilder, cacheDir: string, kustomize: string, manifestsDir: string): KubeflowBuilder {
  return (kustomizations) => {
    const file = path.join(cacheDir, `${kubeflowBuildKey(kustomize, manifestsDir, kustomizations)}.json`);
    if (fs.existsSync(file)) {
      const entries = JSON.parse(fs.readFileSync(file, 'utf8')) as [string, ManifestObject[]][];
      return new Map(entries);
    }
    const built = build(kustomizations);
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify([...built]));
    fs.renameSync(tmp, file);
    return built;
  };
}
