import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A folder of the program's in the user's cache, `${XDG_CACHE_HOME:-~/.cache}/hybrid-ml-platform/<name>`,
 * beside the Go-built binaries: for what outlives one program run (stand-in charts, Kubeflow builds,
 * parsed CRDs) and must stay out of the temp dir.
 */
export function userCacheDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'hybrid-ml-platform', name);
}
