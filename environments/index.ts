import { dev } from './dev';
import { prod } from './prod';
import { staging } from './staging';
import { PlatformSpec, PlatformSpecInput } from './schema';
import { parseSpec } from './validate';

export * from './schema';
export { parseSpec, SpecError, formatPath } from './validate';
export { clusterStages, poolCapacity, poolDevices, poolResource } from './cross-checks';

/** Every environment the repository ships, by name. Add a file and a line here for a new one. */
export const ENVIRONMENTS: Readonly<Record<string, PlatformSpecInput>> = { dev, staging, prod };

/** The environment `npm run synth` builds. */
export const DEFAULT_ENVIRONMENT = 'dev';

/** Validated spec of a shipped environment; unknown names list the known ones. */
export function loadEnvironment(name: string): PlatformSpec {
  const input = ENVIRONMENTS[name];
  if (input === undefined) {
    throw new Error(`unknown environment "${name}": known environments are ${Object.keys(ENVIRONMENTS).join(', ')} (add one in environments/ and register it in environments/index.ts)`);
  }
  return parseSpec(input, name);
}
