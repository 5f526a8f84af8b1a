import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { loadEnvironment, parseSpec, PlatformSpec } from '../../environments';

/**
 * The spec a stack deploys. Stack setting `specFile`: a JSON or YAML file holding a spec in the
 * shape of environments/schema.ts (an estate kept outside the repository, or generated); it is
 * validated like the shipped ones. Without it, the shipped environment named by `environment`
 * (default: the stack name).
 */
export function loadSpecFile(file: string): PlatformSpec {
  if (!fs.existsSync(file)) throw new Error(`config specFile: ${file} does not exist (pulumi config set specFile /path/to/spec.yaml, or unset it to deploy a shipped environment)`);
  let input: unknown;
  try {
    input = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`config specFile: ${file} is not JSON or YAML: ${(e as Error).message}`);
  }
  return parseSpec(input, path.basename(file));
}

/** `specFile` when set, else the shipped environment `environment` (default: the stack name). */
export function specFromSettings(settings: { readonly specFile?: string; readonly environment?: string }, stack: string): PlatformSpec {
  if (settings.specFile !== undefined && settings.specFile !== '') return loadSpecFile(settings.specFile);
  return loadEnvironment(settings.environment === undefined || settings.environment === '' ? stack : settings.environment);
}
