/**
 * Where a Node.js program spent its CPU: reads V8 CPU profiles (`node --cpu-prof`, e.g. the Pulumi
 * program's from PULUMI_BENCH_NODE_PROFILE) and prints self time by package and by function.
 *
 *   node build/test/bench/cpu-profile.js <file.cpuprofile | directory> [top]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** `node_modules/@pulumi/pulumi/...` -> `@pulumi/pulumi`; the program's own files by folder; V8 and Node internals as such. */
export function packageOf(url: string): string {
  if (url === '') return '(native / V8)';
  if (url.startsWith('node:')) return '(node internals)';
  const at = url.lastIndexOf('node_modules/');
  if (at >= 0) {
    const parts = url.slice(at + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const build = url.indexOf('/build/');
  return build >= 0 ? `(program) ${path.dirname(url.slice(build + '/build/'.length))}` : url;
}

/** Self time in ms per key, from the samples and their time deltas. */
export function selfTime(profile: CpuProfile, keyOf: (n: ProfileNode) => string): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (node === undefined) return;
    const key = keyOf(node);
    out.set(key, (out.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return out;
}

function report(title: string, times: Map<string, number>, top: number): string {
  const total = [...times.values()].reduce((a, b) => a + b, 0);
  const rows = [...times].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [`${title} (total ${(total / 1000).toFixed(1)} s)`, ...rows.map(([k, ms]) => `  ${(ms / 1000).toFixed(2).padStart(7)} s ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${k}`)].join('\n');
}

if (require.main === module) {
  const [target, topArg] = process.argv.slice(2);
  if (target === undefined) throw new Error('usage: cpu-profile <file.cpuprofile | directory> [top]');
  const files = fs.statSync(target).isDirectory() ? fs.readdirSync(target).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(target, f)) : [target];
  const top = Number(topArg ?? 25);
  for (const file of files.sort()) {
    const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
    const fn = (n: ProfileNode): string => `${n.callFrame.functionName || '(anonymous)'} ${packageOf(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    process.stdout.write(`\n${file}\n${report('by package', selfTime(profile, (n) => packageOf(n.callFrame.url)), top)}\n${report('by function', selfTime(profile, fn), top)}\n`);
  }
}
