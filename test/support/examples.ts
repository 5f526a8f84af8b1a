/** The objects of examples/ and the environment each is written for (examples/README.md). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { ManifestObject } from '../../stacks/manifests';

export const EXAMPLES_DIR = path.join(__dirname, '..', '..', 'examples');

/** Examples are written for dev; these need what dev does not have. */
const ENVIRONMENT_OF: Readonly<Record<string, string>> = {
  // Multi-node needs whole GPUs on >= 2 nodes; dev's only pool is time-sliced.
  'llminferenceservice-multinode.yaml': 'staging',
};

export interface Example {
  readonly file: string;
  readonly env: string;
  readonly object: ManifestObject;
}

/** Every examples/*.yaml, sorted by file name. */
export function examples(): Example[] {
  return fs
    .readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => ({ file, env: ENVIRONMENT_OF[file] ?? 'dev', object: YAML.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) as ManifestObject }));
}
