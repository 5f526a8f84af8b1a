/**
 * `pulumi up` for real (`npm run test:pulumi`, also part of `npm run test:cluster`): every
 * environment's stack deployed by the Pulumi engine built from Go modules
 * (test/pulumi-engine/) into real control planes.
 *
 * A hybrid environment is represented by one control plane per cluster of its spec (staging:
 * 2, prod: 3), each with kwok and one fake worker node (so the platform's Jobs complete), and
 * each cluster's admin kubeconfig given to the stack as the secret `kubeconfig-<cluster>`,
 * exactly as for real clusters. The add-ons whose real chart can come up on a kwok cluster install
 * it from the chart repository on disk (stack settings `realCharts` + `chartDirectory`,
 * ../shared/charts): REAL_CHARTS in pulumi-real-charts.ts. The others keep `addonInstall: crds-only`, a local stand-in
 * chart holding only their CRDs from test/fixtures/crds/ (plus one release for the CRDs cluster
 * provisioning brings), for the reason STAND_INS (pulumi-real-charts.ts) gives.
 *
 * Kubeflow's kustomize parts are built by the program from ../shared/kubeflow-manifests (stack
 * settings `kustomize`, `kubeflowManifests`) with their webhook configurations left out
 * (`kubeflowWebhooks: false`, the one Kubeflow setting a real cluster does not need: kwok pods
 * serve no webhook; pulumi-kubeflow.ts lists each and why), and the primary gets hostPath volumes
 * for the install's claims (no storage provisioner here).
 *
 * Per stack: preview, up, the cluster holds what `cdk8s synth` produces (less the Flux delivery)
 * and the primary exactly what kustomize builds for its Kubeflow Kustomizations (less the webhooks
 * left out), a second up changes nothing, refresh notices an object
 * deleted with kubectl and up recreates it, destroy leaves no platform object and no Helm release.
 * The benchmark against `kubectl apply --server-side` is pulumi-bench.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GITOPS } from '../../constructs/catalog';
import { ENVIRONMENTS, loadEnvironment } from '../../environments';
import { apiGroupOf, ManifestObject, renderEnvironment } from '../../stacks/manifests';
import { defaultCrdDirectory, loadCrds, planCrds } from '../../stacks/pulumi/addon-install';
import { DeploymentPlan, planEnvironment } from '../../stacks/pulumi/deployment-plan';
import { sharedChartsDir } from '../../stacks/upstream/render-context';
import { ensureEngine } from '../pulumi-engine/build';
import { ensureCompiled } from '../pulumi-engine/compile';
import { changes, changeSummary, PulumiWorkspace } from '../pulumi-engine/workspace';
import { ensureBinaries } from './build';
import { ControlPlane, startControlPlane } from './control-plane';
import { createFakeNode, startKwok } from './kwok';
import { REAL_CHARTS } from './pulumi-real-charts';
import { ExpectedKubeflow, expectedKubeflow, kubeflowConfig, KubeflowTestSettings, kubeflowTestSettings, LEFT_OUT_WEBHOOKS, provisionVolumes } from './pulumi-kubeflow';

/** Every stack with a Pulumi.<env>.yaml, or those PULUMI_TEST_STACKS names (comma-separated; .ci/run keeps CI within its time). */
const STACKS = Object.keys(ENVIRONMENTS)
  .filter((env) => fs.existsSync(path.join(__dirname, '..', '..', `Pulumi.${env}.yaml`)))
  .filter((env) => process.env.PULUMI_TEST_STACKS === undefined || process.env.PULUMI_TEST_STACKS.split(',').includes(env));
const MINUTES = 60 * 1000;
const quiet = (): undefined => undefined;

let ws: PulumiWorkspace | undefined;
const workspace = (): PulumiWorkspace => {
  if (ws === undefined) throw new Error('workspace not set up');
  return ws;
};

const figures: string[] = [];

let kubeflowTools: KubeflowTestSettings | undefined;
const kubeflowSettings = (): KubeflowTestSettings => {
  if (kubeflowTools === undefined) throw new Error('kustomize not built');
  return kubeflowTools;
};

beforeAll(async () => {
  await ensureBinaries();
  const bins = await ensureEngine();
  ensureCompiled();
  ws = new PulumiWorkspace(bins);
  kubeflowTools = await kubeflowTestSettings();
  await ws.login();
}, 60 * MINUTES);

afterAll(() => {
  ws?.dispose();
  if (figures.length > 0) process.stderr.write(`\n[pulumi-up] figures\n  ${figures.join('\n  ')}\n`);
});

/** A fresh control plane with kwok and one large fake worker, standing for one cluster. */
async function startCluster(): Promise<ControlPlane> {
  const cp = await startControlPlane({ log: quiet });
  try {
    await startKwok(cp);
    await createFakeNode(cp, { name: 'worker-0' });
  } catch (e) {
    await cp.stop();
    throw e;
  }
  return cp;
}

/** Objects of the GitOps delivery only: Flux itself (the program builds Kubeflow's Flux Kustomizations itself). */
function gitOpsOnly(o: ManifestObject): boolean {
  const group = apiGroupOf(o.apiVersion);
  return (
    group.endsWith('.toolkit.fluxcd.io') ||
    (o.kind === 'Namespace' && o.metadata.name === GITOPS.namespace) ||
    o.metadata.name === 'ml-platform-flux'
  );
}

const keyOf = (o: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): string =>
  `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;

interface LiveObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
}

/** `kubectl get` of every kind in objs, cluster-wide: live objects by key. */
async function liveObjects(cp: ControlPlane, objs: readonly ManifestObject[]): Promise<Map<string, LiveObject>> {
  const kinds = [...new Set(objs.map((o) => `${o.apiVersion}|${o.kind}`))];
  const out = new Map<string, LiveObject>();
  for (const k of kinds) {
    const [apiVersion, kind] = k.split('|');
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    // kind.version.group; the core group has no name, and its only version is v1.
    const resource = group === '' ? kind : `${kind}.${version}.${group}`;
    const res = await cp.kubectl(['get', resource, '--all-namespaces', '-o', 'json']);
    if (res.code !== 0) {
      // The kind itself is gone (its CRD was destroyed): no object of it exists.
      if (/doesn't have a resource type|the server doesn't have|could not find the requested resource/.test(res.stderr)) continue;
      throw new Error(`kubectl get ${resource} failed: ${res.stderr}`);
    }
    for (const item of (JSON.parse(res.stdout) as { items: LiveObject[] }).items) out.set(keyOf({ ...item, apiVersion, kind }), item);
  }
  return out;
}

/** The objects a stack applies to a cluster in crds-only mode: CRDs first, then the plan. */
function applyOrder(plan: DeploymentPlan, crds: readonly ManifestObject[]): { crds: ManifestObject[]; objects: ManifestObject[] } {
  const crdPlan = planCrds(plan, crds);
  return {
    crds: [...crdPlan.cluster, ...[...crdPlan.byAddon.values()].flat()],
    objects: [...plan.namespaces, ...plan.platformObjects, ...[...plan.customResources.values()].flat(), ...(plan.kubeflow?.resources ?? [])],
  };
}

async function configureStack(stack: string, env: string, clusters: ReadonlyMap<string, ControlPlane>): Promise<void> {
  const w = workspace();
  await w.ok(['stack', 'init', stack, '--secrets-provider', 'passphrase']);
  await w.ok(['config', 'set', '-s', stack, 'environment', env]);
  await w.ok(['config', 'set', '-s', stack, 'addonInstall', 'crds-only']);
  await w.ok(['config', 'set', '-s', stack, 'realCharts', REAL_CHARTS.join(',')]);
  await w.ok(['config', 'set', '-s', stack, 'chartDirectory', sharedChartsDir()]);
  // The Gateway API CRDs from the fixture copy of the pinned release's (test/fixtures/crds/SOURCES.md), not the download.
  await w.ok(['config', 'set', '-s', stack, 'gatewayApiCrds', path.join(defaultCrdDirectory(), 'gateway-api.yaml')]);
  for (const [key, value] of kubeflowConfig(kubeflowSettings())) await w.ok(['config', 'set', '-s', stack, key, value]);
  for (const [name, cp] of clusters) {
    await w.ok(['config', 'set', '-s', stack, '--secret', `kubeconfig-${name}`, fs.readFileSync(cp.kubeconfigPath, 'utf8')]);
  }
}

describe.each(STACKS)('pulumi stack %s', (env) => {
  const spec = loadEnvironment(env);
  const plans = planEnvironment(spec);
  const synthesized = new Map(renderEnvironment(spec).map((c) => [c.cluster.name, c.files.flatMap((f) => f.objects).filter((o) => !gitOpsOnly(o))]));
  const crds = loadCrds(defaultCrdDirectory());
  const clusters = new Map<string, ControlPlane>();
  const cp = (name: string): ControlPlane => {
    const c = clusters.get(name);
    if (c === undefined) throw new Error(`no control plane for ${name}`);
    return c;
  };

  let kubeflow: ExpectedKubeflow = { objects: new Map(), leftOut: new Map() };

  beforeAll(async () => {
    kubeflow = expectedKubeflow(spec, kubeflowSettings());
    for (const c of spec.clusters) clusters.set(c.name, await startCluster());
    for (const [name, objs] of kubeflow.objects) await provisionVolumes(cp(name), objs);
    await configureStack(env, env, clusters);
  }, 10 * MINUTES);

  afterAll(async () => {
    await ws?.run(['stack', 'rm', '--yes', '--force', env]);
    for (const c of clusters.values()) await c.stop();
  }, 5 * MINUTES);

  it('the program applies what cdk8s synth writes, less the Flux delivery', () => {
    for (const plan of plans) {
      const { objects } = applyOrder(plan, crds);
      expect(objects.map(keyOf).sort()).toEqual((synthesized.get(plan.cluster.name) ?? []).map(keyOf).sort());
    }
  });

  it('pulumi preview plans to create every object and delete nothing', async () => {
    const res = await workspace().ok(['preview', '-s', env]);
    const summary = changeSummary(res.stdout);
    const objects = plans.reduce((n, p) => n + applyOrder(p, crds).objects.length, 0);
    expect(summary.create ?? 0).toBeGreaterThanOrEqual(objects);
    expect(summary.delete ?? 0).toBe(0);
    figures.push(`${env}: preview ${res.seconds.toFixed(1)} s, ${summary.create} to create`);
  }, 15 * MINUTES);

  it('pulumi up creates them', async () => {
    const res = await workspace().ok(['up', '--yes', '-s', env]);
    const last = await workspace().lastChanges(env);
    expect(last.result).toBe('succeeded');
    expect(changes(last.resourceChanges)).toEqual({ create: last.resourceChanges.create });
    expect(changeSummary(res.stdout)).toEqual(last.resourceChanges);
    figures.push(`${env}: up ${res.seconds.toFixed(1)} s, ${last.resourceChanges.create} created across ${clusters.size} cluster(s)`);
  }, 20 * MINUTES);

  it('every cluster holds the objects cdk8s synth produces for it (Flux delivery aside)', async () => {
    for (const [name, expected] of synthesized) {
      const live = await liveObjects(cp(name), expected);
      const missing = expected.filter((o) => !live.has(keyOf(o))).map(keyOf);
      expect({ cluster: name, missing }).toEqual({ cluster: name, missing: [] });
      for (const o of expected) {
        const labels = live.get(keyOf(o))?.metadata.labels ?? {};
        expect({ object: keyOf(o), labels: Object.fromEntries(Object.keys(o.metadata.labels ?? {}).map((k) => [k, labels[k]])) }).toEqual({ object: keyOf(o), labels: o.metadata.labels ?? {} });
      }
    }
  }, 5 * MINUTES);

  it('the primary holds exactly what kustomize builds for its Kubeflow Kustomizations, less the webhook configurations left out', async () => {
    expect([...kubeflow.objects.keys()]).toEqual(spec.clusters.filter((c) => c.role === 'primary' && spec.components.kubeflow).map((c) => c.name));
    const exported = JSON.parse((await workspace().ok(['stack', 'export', '-s', env])).stdout) as { deployment: { resources?: { urn: string; type: string; outputs?: ManifestObject }[] } };
    for (const [name, expected] of kubeflow.objects) {
      const live = await liveObjects(cp(name), expected);
      expect({ cluster: name, missing: expected.filter((o) => !live.has(keyOf(o))).map(keyOf) }).toEqual({ cluster: name, missing: [] });
      const hooks = kubeflow.leftOut.get(name) ?? [];
      expect(hooks.map((h) => `${h.kind}/${h.metadata.name}`).sort()).toEqual(Object.keys(LEFT_OUT_WEBHOOKS).sort());
      const liveHooks = await liveObjects(cp(name), hooks);
      expect({ cluster: name, webhooks: hooks.filter((h) => liveHooks.has(keyOf(h))).map(keyOf) }).toEqual({ cluster: name, webhooks: [] });
      // The stack holds them: each object one Kubernetes resource of the cluster's KubeflowInstall (the
      // kubeflow-system Namespace, shared with the Trainer add-on, is the platform's).
      const ofInstall = (exported.deployment.resources ?? []).filter((r) => r.urn.includes('KubeflowInstall') && r.urn.includes(`::${name}-kubeflow`) && r.type.startsWith('kubernetes:') && !r.type.startsWith('kubernetes:yaml/') && r.outputs !== undefined);
      const platformKeys = new Set((synthesized.get(name) ?? []).map(keyOf));
      const plan = plans.find((p) => p.cluster.name === name);
      const held = ofInstall.map((r) => keyOf(r.outputs as ManifestObject)).sort();
      expect(held).toEqual([...expected.filter((o) => !platformKeys.has(keyOf(o))), ...(plan?.kubeflow?.resources ?? [])].map(keyOf).sort());
      figures.push(`${env}/${name}: Kubeflow ${expected.length} objects built and live (${hooks.length} webhook configurations left out), ${held.length} resources of the KubeflowInstall`);
    }
  }, 5 * MINUTES);

  it('a second pulumi up reports 0 changes', async () => {
    const res = await workspace().ok(['up', '--yes', '-s', env]);
    expect(changes((await workspace().lastChanges(env)).resourceChanges)).toEqual({});
    figures.push(`${env}: no-op up ${res.seconds.toFixed(1)} s`);
  }, 15 * MINUTES);

  it('pulumi refresh notices an object deleted with kubectl, and pulumi up puts it back', async () => {
    // A team namespace's default-deny NetworkPolicy on the first cluster.
    const [first] = spec.clusters;
    const victim = (synthesized.get(first.name) ?? []).find((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace !== undefined);
    if (victim === undefined) throw new Error(`${first.name} has no NetworkPolicy`);
    const ref = ['networkpolicy', victim.metadata.name, '-n', victim.metadata.namespace as string];
    expect((await cp(first.name).kubectl(['delete', ...ref])).code).toBe(0);

    await workspace().ok(['refresh', '--yes', '-s', env]);
    const refresh = await workspace().lastChanges(env);
    expect([refresh.kind, changes(refresh.resourceChanges)]).toEqual(['refresh', { delete: 1 }]);

    await workspace().ok(['up', '--yes', '-s', env]);
    expect(changes((await workspace().lastChanges(env)).resourceChanges)).toEqual({ create: 1 });
    const back = await cp(first.name).kubectl(['get', ...ref, '-o', 'json']);
    expect(back.code).toBe(0);
    expect((JSON.parse(back.stdout) as ManifestObject).spec).toEqual(victim.spec);
  }, 20 * MINUTES);

  it('pulumi destroy leaves no platform object and no Helm release', async () => {
    const res = await workspace().ok(['destroy', '--yes', '-s', env]);
    figures.push(`${env}: destroy ${res.seconds.toFixed(1)} s`);
    for (const plan of plans) {
      const { objects } = applyOrder(plan, crds);
      const live = await liveObjects(cp(plan.cluster.name), objects);
      expect({ cluster: plan.cluster.name, left: objects.filter((o) => live.has(keyOf(o))).map(keyOf) }).toEqual({ cluster: plan.cluster.name, left: [] });
      const installed = kubeflow.objects.get(plan.cluster.name) ?? [];
      const liveKubeflow = await liveObjects(cp(plan.cluster.name), installed);
      expect({ cluster: plan.cluster.name, kubeflowLeft: installed.filter((o) => liveKubeflow.has(keyOf(o))).map(keyOf) }).toEqual({ cluster: plan.cluster.name, kubeflowLeft: [] });
      // Helm keeps a release's state in Secrets labelled owner=helm; uninstall removes them. (The
      // CRDs stay: Helm never deletes the CRDs of a chart's crds/ directory, real charts included.)
      const helm = await cp(plan.cluster.name).kubectl(['get', 'secrets', '--all-namespaces', '-l', 'owner=helm', '-o', 'name']);
      expect({ cluster: plan.cluster.name, releases: helm.stdout.trim() }).toEqual({ cluster: plan.cluster.name, releases: '' });
    }
    const stack = JSON.parse((await workspace().ok(['stack', 'export', '-s', env])).stdout) as { deployment: { resources?: unknown[] } };
    expect(stack.deployment.resources ?? []).toEqual([]);
  }, 20 * MINUTES);
});
