import * as pulumi from '@pulumi/pulumi';
import { ADDONS, KUBEFLOW_CRD_GROUPS } from '../../constructs/catalog';
import { loadEnvironment } from '../../environments';
import { planEnvironment } from '../../stacks/pulumi/deployment-plan';
import { addonsFor } from '../../stacks/addon-selection';
import { ManifestObject } from '../../stacks/manifests';
import { rendered } from '../support/synth';

/** Fast unit tests of the Pulumi program with the engine mocked; the real engine runs in the cluster tests. */
interface Registered { type: string; name: string; inputs: Record<string, unknown>; provider?: string }
const registered: Registered[] = [];

pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown>, provider: args.provider });
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: (args) => args.inputs,
  },
  'hybrid-ml-platform',
  'prod',
);

async function settled(): Promise<void> {
  let last = -1;
  for (let i = 0; i < 100 && last !== registered.length; i++) {
    last = registered.length;
    await new Promise((r) => setTimeout(r, 30));
  }
}

describe('Pulumi program (mocked engine)', () => {
  beforeAll(async () => {
    // Imported after setMocks so no resource is created against a real engine.
    const { deployEnvironment } = await import('../../stacks/pulumi/program');
    deployEnvironment('prod', { 'onprem-h100': { context: 'dc1' } });
    await settled();
  });

  const spec = loadEnvironment('prod');
  const byType = (t: string) => registered.filter((r) => r.type === t);

  it('creates one kubernetes Provider per cluster', () => {
    expect(byType('pulumi:providers:kubernetes').map((p) => p.name).sort()).toEqual(spec.clusters.map((c) => c.name).sort());
    expect(byType('pulumi:providers:kubernetes').find((p) => p.name === 'onprem-h100')?.inputs.context).toBe('dc1');
  });

  it('wraps each cluster in a ClusterPlatform component', () => {
    expect(byType('hybrid-ml-platform:stacks:ClusterPlatform').map((c) => c.name).sort()).toEqual(spec.clusters.map((c) => c.name).sort());
  });

  it('installs every add-on as a Helm release pinned to the catalog, through its cluster provider', () => {
    const releases = byType('kubernetes:helm.sh/v3:Release');
    expect(releases).toHaveLength(spec.clusters.reduce((n, c) => n + addonsFor(spec, c).length, 0));
    for (const r of releases) {
      const cluster = spec.clusters.find((c) => r.name.startsWith(`${c.name}-`))!;
      const addon = ADDONS.find((a) => r.name === `${cluster.name}-${a.id}`)!;
      expect(r.inputs.version).toBe(addon.chart.version);
      expect(r.inputs.namespace).toBe(addon.namespace);
      expect(r.provider).toMatch(new RegExp(`::${cluster.name}::${cluster.name}-id$`));
    }
  });

  it('applies the same objects cdk8s synth writes, less the Flux delivery', () => {
    for (const { cluster, files } of rendered('prod')) {
      // Flux objects (and the PodMonitor of the Flux controllers) are the GitOps delivery the program
      // replaces; Kubeflow's kustomize parts and the Profiles that need them are GitOps-only for now.
      const gitOpsOnly = (o: ManifestObject) =>
        o.apiVersion.includes('toolkit.fluxcd.io') || o.metadata.name === 'flux-system' || o.metadata.name === 'ml-platform-flux' || (KUBEFLOW_CRD_GROUPS as readonly string[]).includes(o.apiVersion.split('/')[0]);
      const synthesized = files.flatMap((f) => f.objects).filter((o) => !gitOpsOnly(o));
      const applied = byType('kubernetes:yaml/v2:ConfigGroup').filter((g) => g.name.startsWith(`${cluster.name}-`)).flatMap((g) => g.inputs.objs as ManifestObject[]);
      const key = (o: ManifestObject) => `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
      expect(applied.map(key).sort()).toEqual(synthesized.map(key).sort());
    }
  });
});

describe('deployment plan', () => {
  const plans = planEnvironment(loadEnvironment('prod'));

  it('orders releases so each depends only on releases before it', () => {
    for (const plan of plans) {
      const seen = new Set<string>();
      for (const r of plan.releases) {
        for (const d of r.dependsOn) expect(seen.has(d)).toBe(true);
        seen.add(r.addon.id);
      }
    }
  });

  it('puts objects of add-on CRDs behind the release that brings the CRD', () => {
    for (const plan of plans) {
      for (const [addonId, objs] of plan.customResources) {
        const groups = ADDONS.find((a) => a.id === addonId)!.crdGroups as readonly string[];
        for (const o of objs) expect(groups).toContain(o.apiVersion.split('/')[0]);
      }
      for (const o of plan.platformObjects) expect(ADDONS.flatMap((a) => a.crdGroups as readonly string[])).not.toContain(o.apiVersion.split('/')[0]);
    }
  });
});
