import { AddonDefinition, ADDONS, crdOwner, LLM_SERVING } from '../../constructs/catalog';
import { gatewayApiCrdsSource } from '../../stacks/pulumi/gateway-api-crds';
import { releaseWait } from '../../stacks/pulumi/cluster-platform';
import { PREREQUISITE_CRD_GROUPS } from '../../stacks/pulumi/prerequisite-crds';
import { loadEnvironment } from '../../environments';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { CLUSTER_CRDS_RELEASE, defaultCrdDirectory, loadCrds, parseAddonInstallMode, planCrds, standInChart, writeStandInChart } from '../../stacks/pulumi/addon-install';
import { planEnvironment } from '../../stacks/pulumi/deployment-plan';
import { KubeflowBuilder } from '../../stacks/pulumi/kubeflow-install';
import { addonsFor } from '../../stacks/addon-selection';
import { ManifestObject } from '../../stacks/manifests';
import { rendered } from '../support/synth';
import { parseManifestStream } from '../../stacks/pulumi/manifest-group';
import { recordResources, settled as settledOf } from '../support/pulumi-mocks';

/** Fast unit tests of the Pulumi program with the engine mocked; the real engine runs in the cluster tests. */
const emptyKubeflowBuild: KubeflowBuilder = (ks) => new Map(ks.map((k) => [k.metadata.name, []] as const));
const registered = recordResources('prod');

/** Objects a cluster gets: ConfigGroup objs plus one CustomResource per object of a CRD kind. */
function appliedObjects(cluster: string): ManifestObject[] {
  const mine = registered.filter((r) => r.name.startsWith(`${cluster}-`));
  const groups = mine.filter((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup').flatMap((g) => parseManifestStream(g.inputs.yaml as string));
  const customResources = mine
    .filter((r) => r.type.startsWith('kubernetes:') && !r.type.startsWith('kubernetes:yaml/') && !r.type.startsWith('kubernetes:helm.sh/'))
    .map((r) => r.inputs as unknown as ManifestObject);
  return [...groups, ...customResources];
}

const settled = (): Promise<void> => settledOf(registered);

describe('Pulumi program (mocked engine)', () => {
  beforeAll(async () => {
    // Imported after setMocks so no resource is created against a real engine.
    const { deployEnvironment } = await import('../../stacks/pulumi/program');
    // kustomize does not run here: each Kubeflow Kustomization builds to nothing (test/pulumi/kubeflow.test.ts checks what they become).
    deployEnvironment('prod', { 'onprem-h100': { context: 'dc1' } }, { mode: 'helm' }, { build: emptyKubeflowBuild });
    await settled();
  }, 60000);

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
      // replaces; Kubeflow's Flux Kustomizations are built and applied by the program (kubeflow.test.ts).
      const gitOpsOnly = (o: ManifestObject) => o.apiVersion.includes('toolkit.fluxcd.io') || o.metadata.name === 'flux-system' || o.metadata.name === 'ml-platform-flux';
      const synthesized = files.flatMap((f) => f.objects).filter((o) => !gitOpsOnly(o));
      const applied = appliedObjects(cluster.name);
      const key = (o: ManifestObject) => `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
      expect(applied.map(key).sort()).toEqual(synthesized.map(key).sort());
    }
  });
});

describe('Gateway API CRDs (stack setting gatewayApiCrds)', () => {
  const spec = loadEnvironment('prod');
  const hosts = planEnvironment(spec).filter((p) => p.gatewayApiCrds).map((p) => p.cluster.name);

  it('go on the cluster that hosts LLM serving, as the Flux delivery puts them, from the pinned release by default', () => {
    expect(hosts).toEqual(spec.clusters.filter((c) => c.role === 'primary').map((c) => c.name));
    const files = registered.filter((r) => r.type === 'kubernetes:yaml/v2:ConfigFile');
    expect(files.map((f) => f.name)).toEqual(hosts.map((h) => `${h}-gateway-api-crds-manifest`));
    expect(files.map((f) => f.inputs.file)).toEqual(hosts.map(() => LLM_SERVING.gatewayApi.installManifest));
    expect(LLM_SERVING.gatewayApi.installManifest).toContain(`/download/${LLM_SERVING.gatewayApi.tag}/`);
  });

  it('applies the Gateway and its routes as custom resources, not in the platform ConfigGroup', () => {
    const gatewayKinds = registered.filter((r) => r.type.startsWith('kubernetes:gateway.networking.k8s.io/'));
    expect(gatewayKinds.length).toBeGreaterThan(0);
    for (const g of registered.filter((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup')) {
      for (const o of parseManifestStream(g.inputs.yaml as string)) expect(o.apiVersion).not.toMatch(/^gateway\.networking\.k8s\.io\//);
    }
  });

  it('takes an absolute path or a URL, and refuses anything else naming the setting', () => {
    expect(gatewayApiCrdsSource(undefined)).toBe(LLM_SERVING.gatewayApi.installManifest);
    expect(gatewayApiCrdsSource('')).toBe(LLM_SERVING.gatewayApi.installManifest);
    expect(gatewayApiCrdsSource('/srv/gateway-api/standard-install.yaml')).toBe('/srv/gateway-api/standard-install.yaml');
    expect(() => gatewayApiCrdsSource('crds/gateway.yaml')).toThrow(/gatewayApiCrds: "crds\/gateway.yaml" is neither an absolute path nor an http\(s\) URL/);
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

  it('applies objects of CRD kinds as CustomResources (a ConfigGroup cannot register kinds a fresh cluster does not know yet)', () => {
    const customResources = registered.filter((r) => r.type.startsWith('kubernetes:') && /^kubernetes:[^:]+\.[^:]+\/[^:]+:/.test(r.type) && !r.type.startsWith('kubernetes:helm.sh/'));
    expect(customResources.length).toBeGreaterThan(0);
    for (const g of registered.filter((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup')) {
      for (const o of parseManifestStream(g.inputs.yaml as string)) expect([...ADDONS.flatMap((a) => a.crdGroups as readonly string[]), ...PREREQUISITE_CRD_GROUPS]).not.toContain(o.apiVersion.split('/')[0]);
    }
  });

  it('puts objects of add-on CRDs behind the release that brings the CRD', () => {
    for (const plan of plans) {
      for (const [addonId, objs] of plan.customResources) {
        for (const o of objs) expect(`${o.kind} -> ${crdOwner(o.apiVersion.split('/')[0], o.kind)?.id}`).toBe(`${o.kind} -> ${addonId}`);
      }
      for (const o of plan.platformObjects) expect(ADDONS.flatMap((a) => a.crdGroups as readonly string[])).not.toContain(o.apiVersion.split('/')[0]);
    }
  });
});

describe('addonInstall: crds-only (offline clusters)', () => {
  const env = 'staging';
  const spec = loadEnvironment(env);
  const ofCluster = (c: string) => registered.filter((r) => r.name.startsWith(`${c}-`) || r.name === c);
  const chartCrds = (dir: string) => (fs.existsSync(path.join(dir, 'crds')) ? fs.readdirSync(path.join(dir, 'crds')).map((f) => f.replace(/\.yaml$/, '')).sort() : []);

  beforeAll(async () => {
    const { deployEnvironment } = await import('../../stacks/pulumi/program');
    deployEnvironment(env, {}, { mode: 'crds-only' }, { build: emptyKubeflowBuild });
    await settled();
  }, 60000);

  it('parses the CRD manifests once: later runs read the same CRDs back from the cache, and a changed manifest is parsed again', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'parsed-crds-'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-manifests-'));
    try {
      const source = path.join(defaultCrdDirectory(), 'kueue.yaml');
      fs.copyFileSync(source, path.join(dir, 'kueue.yaml'));
      const parsed = loadCrds(dir, cache);
      expect(parsed.length).toBeGreaterThan(5);
      expect(parsed.map((c) => c.metadata.name)).toEqual([...parsed.map((c) => c.metadata.name)].sort());
      expect(fs.readdirSync(cache)).toHaveLength(1);
      expect(loadCrds(dir, cache)).toEqual(parsed);
      fs.writeFileSync(path.join(dir, 'kueue.yaml'), fs.readFileSync(source, 'utf8').split('\n---\n').slice(0, 2).join('\n---\n'));
      expect(loadCrds(dir, cache).length).toBe(1);
      expect(fs.readdirSync(cache)).toHaveLength(2);
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps one Helm release per add-on, of a local stand-in chart holding exactly the CRDs of its API groups', () => {
    const crds = loadCrds(defaultCrdDirectory());
    for (const cluster of spec.clusters) {
      const releases = ofCluster(cluster.name).filter((r) => r.type === 'kubernetes:helm.sh/v3:Release' && r.name !== `${cluster.name}-${CLUSTER_CRDS_RELEASE.name}`);
      expect(releases.map((r) => r.name).sort()).toEqual(addonsFor(spec, cluster).map((a) => `${cluster.name}-${a.id}`).sort());
      for (const addon of addonsFor(spec, cluster)) {
        const release = releases.find((r) => r.name === `${cluster.name}-${addon.id}`)!;
        const chart = release.inputs.chart as string;
        expect(path.isAbsolute(chart)).toBe(true);
        expect(release.inputs.repositoryOpts).toBeUndefined();
        expect(release.inputs.version).toBe(addon.chart.version);
        expect(YAML.parse(fs.readFileSync(path.join(chart, 'Chart.yaml'), 'utf8'))).toMatchObject({ name: addon.chart.name, version: addon.chart.version });
        const expected = crds.filter((c) => crdOwner((c.spec as { group: string }).group, (c.spec as { names: { kind: string } }).names.kind)?.id === addon.id).map((c) => c.metadata.name);
        expect(chartCrds(chart)).toEqual(expected.sort());
      }
    }
  });

  it('adds a release of the CRDs cluster provisioning brings, for the kinds the platform objects use', () => {
    for (const plan of planEnvironment(spec)) {
      const clusterKinds = plan.platformObjects.filter((o) => PREREQUISITE_CRD_GROUPS.includes(o.apiVersion.split('/')[0]));
      const release = ofCluster(plan.cluster.name).find((r) => r.name === `${plan.cluster.name}-${CLUSTER_CRDS_RELEASE.name}`);
      if (clusterKinds.length === 0) {
        expect(release).toBeUndefined();
        continue;
      }
      const names = chartCrds(release!.inputs.chart as string);
      for (const o of clusterKinds) expect(names.some((n) => n.endsWith(`.${o.apiVersion.split('/')[0]}`))).toBe(true);
    }
  });

  it('applies the same platform objects and custom resources as with the real charts', () => {
    for (const plan of planEnvironment(spec)) {
      const applied = appliedObjects(plan.cluster.name);
      const planned = [...plan.namespaces, ...plan.platformObjects, ...[...plan.customResources.values()].flat(), ...(plan.kubeflow?.resources ?? [])];
      const key = (o: ManifestObject) => `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
      expect(applied.map(key).sort()).toEqual(planned.map(key).sort());
    }
  });

  it('writes the same stand-in chart to the same directory (no diff between runs)', () => {
    const [addon] = ADDONS;
    const chart = standInChart(addon, loadCrds(defaultCrdDirectory()).slice(0, 2));
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'standin-'));
    try {
      expect(writeStandInChart(chart, root)).toBe(writeStandInChart(chart, root));
      expect(writeStandInChart({ ...chart, crds: chart.crds.slice(0, 1) }, root)).not.toBe(writeStandInChart(chart, root));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('rejects an unknown mode and names kinds that have no CRD', () => {
    expect(() => parseAddonInstallMode('chart-less')).toThrow(/addonInstall must be one of helm, crds-only/);
    expect(parseAddonInstallMode(undefined)).toBe('helm');
    const plan = planEnvironment(spec).find((p) => p.customResources.size > 0)!;
    expect(() => planCrds(plan, [])).toThrow(/uses kinds with no CRD in the CRD directory: .+\//);
  });
});

describe('stand-in CRDs', () => {
  it('replace a conversion webhook (served by a controller the stand-in chart does not run) by None, storing the version the platform writes', () => {
    const plan = planEnvironment(loadEnvironment('staging')).find((p) => p.customResources.has('policy-controller'))!;
    const cip = planCrds(plan, loadCrds(defaultCrdDirectory())).byAddon.get('policy-controller')!.find((c) => c.metadata.name.startsWith('clusterimagepolicies.'))!;
    const written = plan.customResources.get('policy-controller')!.find((o) => o.kind === 'ClusterImagePolicy')!.apiVersion.split('/')[1];
    const spec = cip.spec as { conversion: { strategy: string }; versions: { name: string; storage: boolean }[] };
    expect(spec.conversion).toEqual({ strategy: 'None' });
    expect(spec.versions.filter((v) => v.storage).map((v) => v.name)).toEqual([written]);
  });
});

describe('releaseWait', () => {
  it('waits (atomically) where a readiness gate or template CRDs need it, and nowhere else', () => {
    expect(releaseWait({ readinessGates: 'webhooks' })).toEqual({ atomic: true, skipAwait: false });
    expect(releaseWait({ crdsInTemplates: true })).toEqual({ atomic: true, skipAwait: false });
    expect(releaseWait({})).toEqual({ atomic: false, skipAwait: true });
  });

  it('waits for kserve-llmisvc-crd, whose CRDs are templates the LLM presets follow at once', () => {
    const a = ADDONS.find((x) => x.id === 'kserve-llmisvc-crd') as AddonDefinition;
    expect(releaseWait(a).skipAwait).toBe(false);
  });
});
