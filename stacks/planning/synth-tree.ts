import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { ClusterManifests, ManifestObject } from '../manifests';
import { objectKey } from './object-key';

/** One environment's objects: cluster name -> object key -> object. */
export type SynthTree = ReadonlyMap<string, ReadonlyMap<string, ManifestObject>>;

function indexObjects(where: string, objects: readonly ManifestObject[]): Map<string, ManifestObject> {
  const byKey = new Map<string, ManifestObject>();
  for (const o of objects) {
    const key = objectKey(o);
    if (byKey.has(key)) throw new Error(`${where}: ${key} appears twice; a synth never writes an object twice, so this output is not a synth of this platform`);
    byKey.set(key, o);
  }
  return byKey;
}

/** The tree of an environment rendered in memory. */
export function treeOfRender(clusters: readonly ClusterManifests[]): SynthTree {
  return new Map(clusters.map(({ cluster, files }) => [cluster.name, indexObjects(cluster.name, files.flatMap((f) => f.objects))]));
}

/**
 * The tree of a previous synth on disk: `<outdir>/<env>/<cluster>/*.yaml`, as `npm run synth` writes it.
 * Throws, naming the directory and what to run, when that environment was never synthesized there.
 */
export function readSynthTree(outdir: string, env: string): SynthTree {
  const envDir = path.join(outdir, env);
  if (!fs.existsSync(envDir) || !fs.statSync(envDir).isDirectory()) {
    throw new Error(`no previous synth of "${env}" in ${envDir}: run \`npm run synth:all\` (or \`node build/stacks/synth.js ${env}\`) on the version to compare with, or pass --ref <git-ref>`);
  }
  const tree = new Map<string, Map<string, ManifestObject>>();
  for (const cluster of fs.readdirSync(envDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
    const dir = path.join(envDir, cluster);
    const objects: ManifestObject[] = [];
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
      for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
        if (doc.errors.length > 0) throw new Error(`${path.join(dir, file)}: not valid YAML: ${doc.errors[0].message}`);
        const o = doc.toJS() as ManifestObject | null;
        if (o !== null) objects.push(o);
      }
    }
    tree.set(cluster, indexObjects(dir, objects));
  }
  return tree;
}
