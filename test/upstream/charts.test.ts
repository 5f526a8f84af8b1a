/**
 * The real charts, with the platform's values, on a real API server: for every environment x
 * cluster x add-on, `helm template` of the pinned chart from the chart repository
 * (HML_CHART_REPOSITORY, default ../shared/charts), its value keys checked against the chart's own
 * defaults, every rendered object applied server-side to a fresh kube-apiserver holding the
 * platform's namespaces, every pod template admitted there by Pod Security, and every image pinned,
 * mirrored where the spec says so and present in `npm run images`.
 */
import * as fs from 'node:fs';
import { ADDONS, AddonDefinition } from '../../constructs/catalog';
import { canonicalImage, endpointHost } from '../../constructs/supply-chain/image-mirror';
import { loadEnvironment, PlatformSpec } from '../../environments';
import { addonsFor } from '../../stacks/addon-selection';
import { environmentImages, ImageEntry } from '../../stacks/images';
import { ManifestObject, renderEnvironment } from '../../stacks/manifests';
import { podSpecImages } from '../../stacks/pod-images';
import { localChartArchive } from '../../stacks/upstream/chart-repository';
import { RenderContext, RenderedRelease, renderClusterReleases } from '../../stacks/upstream/addon-render';
import { defaultRenderContext } from '../../stacks/upstream/render-context';
import { floatingTag, renderedImages } from '../../stacks/upstream/rendered-images';
import { isTemplateCrd, renderedFrom } from '../../stacks/upstream/helm-template';
import { KubeApi } from '../cluster/api-client';
import { ControlPlane, startControlPlane } from '../cluster/control-plane';
import { installCrds, poll, selectCrds } from '../cluster/platform-helpers';
import { ensureTools } from '../tools/build';
import { admitPodTemplates, applyRendered, podTemplateOf, Verdict } from './charts/admission';
import { ChartContents, cleanUpExtracted, readChartArchive } from './charts/chart-archive';
import { leafPaths, undeclaredValuePaths } from './charts/value-keys';

const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;

interface Figures {
  env: string;
  cluster: string;
  releases: number;
  valueKeys: number;
  objects: number;
  accepted: number;
  podTemplates: number;
  admitted: number;
  images: number;
}
const FIGURES: Figures[] = [];

let ctx: RenderContext;
beforeAll(async () => {
  const tools = await ensureTools();
  process.env.HELM ??= tools.helm;
  ctx = defaultRenderContext();
  if (ctx.charts.kind !== 'directory') throw new Error('the real-chart suite reads a chart repository on disk: ../shared/charts beside the clone, or HML_CHART_REPOSITORY=<directory>');
}, 30 * 60 * 1000);

afterAll(() => {
  cleanUpExtracted();
  if (FIGURES.length === 0) return;
  const head = '| environment | cluster | releases rendered | value keys checked | objects accepted | pod templates admitted | images listed |';
  const rows = FIGURES.map((f) => `| ${f.env} | ${f.cluster} | ${f.releases} | ${f.valueKeys} | ${f.accepted}/${f.objects} | ${f.admitted}/${f.podTemplates} | ${f.images} |`);
  process.stdout.write(`\nReal charts on a real API server:\n${[head, '|---|---|---|---|---|---|---|', ...rows].join('\n')}\n`);
});

const chartOf = (a: AddonDefinition): ChartContents => {
  if (ctx.charts.kind !== 'directory') throw new Error('no chart directory');
  return readChartArchive(localChartArchive(ctx.charts.dir, a.chart));
};

const failures = (verdicts: readonly Verdict[]): string[] => verdicts.filter((v) => !v.ok).map((v) => `${v.key}: ${v.message ?? ''}`);

describe.each(ENVIRONMENTS)('%s', (env) => {
  const spec: PlatformSpec = loadEnvironment(env);
  let imageList: ImageEntry[] = [];

  beforeAll(() => {
    imageList = environmentImages(spec, ctx);
  }, 10 * 60 * 1000);

  describe.each(spec.clusters.map((c) => c.name))('%s', (clusterName) => {
    const cluster = spec.clusters.find((c) => c.name === clusterName)!;
    const fig: Figures = { env, cluster: clusterName, releases: 0, valueKeys: 0, objects: 0, accepted: 0, podTemplates: 0, admitted: 0, images: 0 };
    let releases: RenderedRelease[] = [];
    let cp: ControlPlane | undefined;
    let api: KubeApi | undefined;
    const live = (): KubeApi => api as KubeApi;

    beforeAll(async () => {
      releases = renderClusterReleases(ctx, spec, cluster);
      fig.releases = releases.length;
      cp = await startControlPlane({ log: () => undefined });
      api = new KubeApi(cp);
      // The platform's own namespaces, with the Pod Security levels the catalog gives them.
      const platform = renderEnvironment(spec).find((c) => c.cluster.name === clusterName)!;
      const namespaces = platform.files.flatMap((f) => f.objects).filter((o) => o.kind === 'Namespace');
      const applied = await applyRendered(live(), namespaces, 'default');
      if (failures(applied).length > 0) throw new Error(`platform namespaces refused:\n${failures(applied).join('\n')}`);
    }, 10 * 60 * 1000);

    afterAll(async () => {
      api?.close();
      await cp?.stop();
      FIGURES.push(fig);
    });

    test('every add-on chart renders at its pinned version with the platform values (helm validates them against values.schema.json)', () => {
      expect(releases.map((r) => r.addon.id)).toEqual(addonsFor(spec, cluster).map((a) => a.id));
      for (const r of releases) expect(r.objects.length).toBeGreaterThan(0);
    });

    test('every value key the platform sets is declared by the chart (or a catalog free-form map)', () => {
      const problems: string[] = [];
      for (const r of releases) {
        fig.valueKeys += leafPaths(r.values).length;
        for (const p of undeclaredValuePaths(chartOf(r.addon), r.values, r.addon.freeFormValues ?? [])) problems.push(`${r.addon.id}@${r.addon.chart.version}: ${p} is not a value of the chart (Helm would ignore it)`);
      }
      expect(problems).toEqual([]);
    });

    test('an add-on says crdsInTemplates exactly when its chart applies CRDs as templates (the Pulumi release must then wait for them)', () => {
      const rendered = releases.filter((r) => r.objects.some(isTemplateCrd)).map((r) => r.addon.id);
      const wrong = releases.filter((r) => r.objects.some(isTemplateCrd) !== (r.addon.crdsInTemplates === true));
      expect(wrong.map((r) => `${r.addon.id}: catalog crdsInTemplates ${r.addon.crdsInTemplates === true}, chart renders ${r.objects.filter(isTemplateCrd).length} CRDs as templates`)).toEqual([]);
      // helm named a source for every CRD (else the check above could not tell).
      for (const r of releases) for (const o of r.objects.filter((x) => x.kind === 'CustomResourceDefinition')) expect(renderedFrom(o)).toBeDefined();
      expect(rendered.length).toBeGreaterThan(0);
    });

    test("the catalog's appVersion is the chart's", () => {
      const wrong = releases.map((r) => [r.addon, chartOf(r.addon).appVersion] as const).filter(([a, app]) => app !== undefined && app !== a.appVersion);
      expect(wrong.map(([a, app]) => `${a.id}: catalog ${a.appVersion}, chart ${app}`)).toEqual([]);
    });

    test('every rendered object is accepted by the real API server (server-side apply; webhooks and APIServices dry-run)', async () => {
      const all = releases.flatMap((r) => r.objects.map((o) => ({ o, ns: r.addon.namespace })));
      const crds = all.map((x) => x.o).filter((o) => o.kind === 'CustomResourceDefinition');
      const crdApply = await applyRendered(live(), crds, 'default');
      expect(failures(crdApply)).toEqual([]);
      for (const c of crds) {
        await poll(`CRD ${c.metadata.name} Established`, async () => {
          const got = await live().json<{ status?: { conditions?: { type: string; status: string }[] } }>('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${c.metadata.name}`);
          return got.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True') === true ? true : undefined;
        }, 120000);
      }
      // Custom resources of CRDs another delivery brings (the platform's fixtures), e.g. none today.
      const rest = all.filter((x) => x.o.kind !== 'CustomResourceDefinition');
      const fixtures = await selectCrds(live(), rest.map((x) => x.o));
      if (fixtures.crds.length > 0) expect((await installCrds(cp as ControlPlane, live(), fixtures.crds)).code).toBe(0);
      const verdicts: Verdict[] = [...crdApply];
      for (const r of releases) verdicts.push(...(await applyRendered(live(), r.objects.filter((o) => o.kind !== 'CustomResourceDefinition'), r.addon.namespace)));
      fig.objects = verdicts.length;
      fig.accepted = verdicts.filter((v) => v.ok).length;
      expect(failures(verdicts)).toEqual([]);
    });

    test("every rendered pod template is admitted in its namespace at the Pod Security level the catalog gives it", async () => {
      const verdicts: Verdict[] = [];
      for (const r of releases) verdicts.push(...(await admitPodTemplates(live(), r.objects, r.addon.namespace)));
      fig.podTemplates = verdicts.length;
      fig.admitted = verdicts.filter((v) => v.ok).length;
      expect(failures(verdicts)).toEqual([]);
    });

    test('every image is pinned and, with images.mirror, pulled from the cluster registry', () => {
      const problems: string[] = [];
      const host = endpointHost(cluster.registry.endpoint);
      for (const r of releases) {
        for (const image of renderedImages(r.objects)) {
          const floating = floatingTag(image);
          if (floating !== undefined) problems.push(`${r.addon.id}: ${image}: ${floating}`);
          // Harbor is the mirror itself: it starts from the seed registry.
          if (spec.images.mirror && r.addon.id !== 'harbor' && r.addon.templateImages === undefined && !image.startsWith(`${host}/`)) problems.push(`${r.addon.id}: ${image} is not on the mirror ${host} (add an image slot in constructs/catalog/image-slots.ts)`);
        }
      }
      expect(problems).toEqual([]);
    });

    test('npm run images lists every image the API server holds in a pod template', async () => {
      const listed = new Set(imageList.filter((e) => e.cluster === clusterName).flatMap((e) => [e.image, e.mirrored]));
      fig.images = imageList.filter((e) => e.cluster === clusterName).length;
      const held: string[] = [];
      const kinds = { Deployment: '/apis/apps/v1/deployments', DaemonSet: '/apis/apps/v1/daemonsets', StatefulSet: '/apis/apps/v1/statefulsets', Job: '/apis/batch/v1/jobs', CronJob: '/apis/batch/v1/cronjobs' };
      for (const [kind, path] of Object.entries(kinds)) {
        const list = await live().json<{ items: ManifestObject[] }>('GET', path);
        // List items carry no kind of their own.
        for (const o of list.items) held.push(...podSpecImages(podTemplateOf({ ...o, kind })?.spec ?? {}));
      }
      expect(held.length).toBeGreaterThan(0);
      expect([...new Set(held)].filter((i) => !listed.has(i)).sort()).toEqual([]);
    });
  });
});

describe('catalog', () => {
  test("each add-on's images are what its chart renders with the platform values in the shipped environments", () => {
    const rendered = new Map<string, Set<string>>();
    for (const env of ENVIRONMENTS) {
      const spec = loadEnvironment(env);
      const unmirrored = { ...spec, images: { ...spec.images, mirror: false } };
      for (const cluster of spec.clusters) for (const r of renderClusterReleases(ctx, unmirrored, cluster)) for (const i of renderedImages(r.objects)) rendered.set(r.addon.id, (rendered.get(r.addon.id) ?? new Set()).add(canonicalImage(i)));
    }
    const drift = ADDONS.filter((a) => rendered.has(a.id)).filter((a) => JSON.stringify([...a.images].sort()) !== JSON.stringify([...(rendered.get(a.id) ?? [])].sort()));
    expect(drift.map((a) => `${a.id}: catalog ${JSON.stringify([...a.images].sort())}\n  chart renders ${JSON.stringify([...(rendered.get(a.id) ?? [])].sort())}`)).toEqual([]);
  }, 10 * 60 * 1000);

  test('every chart repository the suite reads holds each pinned chart version', () => {
    if (ctx.charts.kind !== 'directory') return;
    for (const a of ADDONS) expect(fs.existsSync(localChartArchive(ctx.charts.dir, a.chart))).toBe(true);
  });
});
