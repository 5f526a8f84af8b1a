import { AddonDefinition } from './addons';

/** The add-ons to install before this one where the cluster has them: its dependencies, then its installAfter ordering. */
export function installedBefore(addon: Pick<AddonDefinition, 'dependsOn' | 'installAfter'>): string[] {
  return [...addon.dependsOn, ...(addon.installAfter?.ids ?? [])];
}
