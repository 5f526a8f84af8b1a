import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { RuleFile } from './rule-files';

/** Thin wrapper around the promtool binary: writes rule and test files to a scratch directory and runs it. */

export interface PromtoolResult {
  readonly ok: boolean;
  readonly status: number | null;
  readonly output: string;
}

export function scratchDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/** Writes one rule file per PrometheusRule (`<name>.yaml`) into dir; returns their paths. */
export function writeRuleFiles(dir: string, files: readonly RuleFile[]): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return files.map((f) => {
    const p = path.join(dir, `${f.name}.yaml`);
    fs.writeFileSync(p, YAML.stringify({ groups: f.groups }, { lineWidth: 0 }));
    return p;
  });
}

function run(promtool: string, args: readonly string[], cwd: string): PromtoolResult {
  const res = spawnSync(promtool, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.error) throw res.error;
  return { ok: res.status === 0, status: res.status, output: `${res.stdout}${res.stderr}` };
}

/** `promtool check rules --lint=all --lint-fatal`: syntax, templates, duplicate rules. */
export function checkRules(promtool: string, ruleFiles: readonly string[]): PromtoolResult {
  return run(promtool, ['check', 'rules', '--lint=all', '--lint-fatal', ...ruleFiles], path.dirname(ruleFiles[0]));
}

/** `promtool test rules` over one unit-test file. */
export function testRules(promtool: string, testFile: string): PromtoolResult {
  return run(promtool, ['test', 'rules', testFile], path.dirname(testFile));
}

export function writeYaml(file: string, doc: unknown): string {
  fs.writeFileSync(file, YAML.stringify(doc, { lineWidth: 0 }));
  return file;
}
