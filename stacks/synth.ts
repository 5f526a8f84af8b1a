import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_ENVIRONMENT, ENVIRONMENTS, loadEnvironment } from '../environments';
import { ClusterManifests, renderEnvironment, toYaml } from './manifests';

/**
 * The cdk8s app: `node build/stacks/synth.js [env ...|--all]` writes dist/<env>/<cluster>/NN-*.yaml.
 * Every spec is validated and every cluster rendered in memory before the first file is written,
 * so a bad spec leaves dist/ as it was.
 */
export function synthesize(envNames: readonly string[], outdir: string): { env: string; clusters: ClusterManifests[] }[] {
  const rendered = envNames.map((env) => ({ env, clusters: renderEnvironment(loadEnvironment(env)) }));
  for (const { env, clusters } of rendered) {
    const envDir = path.join(outdir, env);
    // Start clean so a removed cluster or file does not linger in the output.
    fs.rmSync(envDir, { recursive: true, force: true });
    for (const { cluster, files } of clusters) {
      const dir = path.join(envDir, cluster.name);
      fs.mkdirSync(dir, { recursive: true });
      for (const file of files) fs.writeFileSync(path.join(dir, file.name), toYaml(file.objects));
    }
  }
  return rendered;
}

function main(argv: readonly string[]): void {
  const all = argv.includes('--all');
  const named = argv.filter((a) => !a.startsWith('--'));
  const envs = all ? Object.keys(ENVIRONMENTS) : named.length > 0 ? named : [DEFAULT_ENVIRONMENT];
  const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
  try {
    for (const { env, clusters } of synthesize(envs, outdir)) {
      for (const { cluster, files } of clusters) {
        const count = files.reduce((n, f) => n + f.objects.length, 0);
        console.log(`${path.join(outdir, env, cluster.name)}: ${count} objects in ${files.map((f) => f.name).join(', ')}`);
      }
    }
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  }
}

if (require.main === module) main(process.argv.slice(2));
