/**
 * Kubeflow from the real manifests: every Flux Kustomization the platform synthesizes, for every
 * environment, built by kustomize v5 from kubeflow/manifests at the pinned tag (a local copy in
 * ../shared/kubeflow-manifests, the Argo Workflows remote bases pointed at a local copy as an
 * air-gapped install points them at its git mirror), with exactly the patches and image redirects
 * the Kustomization carries. Then:
 *   - every path exists and builds; every platform patch matches objects and changes them;
 *   - each part's imageRepositories are exactly the repositories its pod templates run, so the
 *     mirror redirect covers every one; every image is pinned;
 *   - KUBEFLOW_VERSIONS and the Kubeflow CRD fixtures are what the release installs;
 *   - each Kustomization finds its namespaces and CRDs in itself or in what it depends on;
 *   - every object is accepted by a real kube-apiserver, applied server-side Kustomization by
 *     Kustomization in dependency order, CRDs and Namespaces first as Flux does (webhook
 *     configurations and APIServices dry-run, so a webhook whose service does not run here cannot
 *     break later requests).
 * Run: `npm run test:upstream -- kubeflow`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { KUBEFLOW_CONFIG_IMAGES, KUBEFLOW_CRD_GROUPS, KUBEFLOW_UNREDIRECTED_CONFIG, KUBEFLOW_MANIFESTS, KUBEFLOW_PARTS, KUBEFLOW_VERSIONS } from '../../constructs/catalog';
import { mirrorImage } from '../../constructs/supply-chain/image-mirror';
import { ManifestObject } from '../../stacks/manifests';
import { buildKubeflowInstall, kubeflowManifestsDir } from '../../stacks/upstream/kubeflow-build';
import { rendered } from '../support/synth';
import { imageRepository, imageTag, kubeflowImages, unpinnedReason } from '../../stacks/upstream/kubeflow-images';
import { repoRoot } from '../toolchain/go-build';
import { atPointer, crdKey, fixtureForm, matchesTarget, objectKey } from './kubeflow/checks';
import { BuiltKustomization, fluxInPlaceBuild, KubeflowBuilds, kubeflowBuilds } from './kubeflow/install';
import { applyInstall, ApplyFigures } from './kubeflow/apply';

let builds: KubeflowBuilds;
const FIGURES: string[] = [];
const started = Date.now();

beforeAll(async () => {
  builds = await kubeflowBuilds();
}, 900000);

afterAll(() => {
  process.stderr.write(`\n[kubeflow-manifests] ${FIGURES.join('\n[kubeflow-manifests] ')}\n[kubeflow-manifests] suite ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
});

const all = (): BuiltKustomization[] => builds.installs.flatMap((i) => [...i.kustomizations]);
/** The install without a mirror (upstream names), for the checks that compare with the catalog. */
const unmirrored = () => {
  const i = builds.installs.find((x) => x.mirrorHost === undefined);
  if (i === undefined) throw new Error('no environment installs Kubeflow without a mirror');
  return i;
};

describe('Kubeflow manifests at the pinned tag', () => {
  it('pins a tag the manifests copy holds', () => {
    expect(fs.existsSync(path.join(kubeflowManifestsDir(repoRoot()), KUBEFLOW_MANIFESTS.tag, 'applications'))).toBe(true);
    expect(builds.tree.rewrites.length).toBeGreaterThan(0);
    FIGURES.push(`tag ${KUBEFLOW_MANIFESTS.tag}; ${builds.tree.rewrites.length} Argo Workflows remote bases pointed at the local copy; builds ${(builds.ms / 1000).toFixed(1)} s`);
  });

  it('builds every Kustomization of every environment', () => {
    expect(builds.installs.length).toBeGreaterThan(0);
    const failures = all().filter((k) => k.error !== undefined || k.objects.length === 0).map((k) => `${k.env}/${k.flux.metadata.name} (${k.flux.spec.path}): ${k.error ?? 'builds nothing'}`);
    expect(failures).toEqual([]);
    for (const i of builds.installs) FIGURES.push(`${i.env}/${i.cluster}: ${i.kustomizations.length} Kustomizations, ${i.kustomizations.reduce((n, k) => n + k.objects.length, 0)} objects${i.mirrorHost === undefined ? '' : `, mirror ${i.mirrorHost}`}`);
  });

  it('builds the same objects as Flux, which adds the patches and images to the kustomization.yaml at the path', () => {
    const differ: string[] = [];
    let compared = 0;
    for (const i of [unmirrored(), ...builds.installs.filter((x) => x.mirrorHost !== undefined).slice(0, 1)]) {
      for (const k of i.kustomizations.filter((x) => (x.flux.spec.patches ?? []).length > 0 || (x.flux.spec.images ?? []).length > 0)) {
        const inPlace = fluxInPlaceBuild(builds.kustomize, k.flux, builds.tree);
        compared += 1;
        const canon = (objs: readonly ManifestObject[]) => objs.map((o) => JSON.stringify(o)).sort();
        if (JSON.stringify(canon(inPlace)) !== JSON.stringify(canon(k.objects))) differ.push(`${i.env}/${k.flux.metadata.name}`);
      }
    }
    expect(differ).toEqual([]);
    FIGURES.push(`Flux in-place build = overlay build for ${compared} patched or redirected Kustomizations`);
  });

  it('applies every platform patch: its target matches objects, and each op is in the built output', () => {
    const problems: string[] = [];
    for (const k of all()) {
      for (const p of k.flux.spec.patches ?? []) {
        const matched = k.objects.filter((o) => matchesTarget(o, p.target));
        if (matched.length === 0) {
          problems.push(`${k.env}/${k.flux.metadata.name}: patch target ${JSON.stringify(p.target)} matches nothing in ${k.flux.spec.path}`);
          continue;
        }
        const ops = JSON.parse(p.patch) as { op: string; path: string; value?: unknown }[];
        for (const o of matched) {
          for (const op of ops) {
            if (op.op === 'remove') continue;
            // `/-` appends: the value is then the last element.
            const list = op.path.endsWith('/-') ? atPointer(o, op.path.slice(0, -2)) : undefined;
            const got = op.path.endsWith('/-') ? (Array.isArray(list) ? list[list.length - 1] : undefined) : atPointer(o, op.path);
            if (JSON.stringify(got) !== JSON.stringify(op.value)) problems.push(`${k.env}/${k.flux.metadata.name}: ${objectKey(o)} ${op.path} is ${JSON.stringify(got)}, the patch sets ${JSON.stringify(op.value)}`);
          }
        }
        const plain = builds.plain.get(k.flux.spec.path) ?? [];
        for (const o of matched) {
          const before = plain.find((x) => objectKey(x) === objectKey(o) || (x.kind === o.kind && matchesTarget(x, p.target)));
          if (before !== undefined && JSON.stringify(before.data ?? before.spec) === JSON.stringify(o.data ?? o.spec)) problems.push(`${k.env}/${k.flux.metadata.name}: patch changes nothing in ${objectKey(o)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("lists in each part's imageRepositories exactly the repositories its pod templates run", () => {
    const problems: string[] = [];
    for (const part of KUBEFLOW_PARTS) {
      const ks = unmirrored().kustomizations.filter((k) => k.part.id === part.id);
      if (ks.length === 0) continue;
      const run = new Set(kubeflowImages(ks.flatMap((k) => [...k.objects])).filter((i) => i.runs === 'pod').map((i) => imageRepository(i.image)));
      const listed = new Set(part.imageRepositories);
      for (const r of run) if (!listed.has(r)) problems.push(`${part.id}: runs ${r}, not in imageRepositories (the mirror redirect misses it)`);
      for (const r of listed) if (!run.has(r)) problems.push(`${part.id}: imageRepositories lists ${r}, which the build does not run`);
    }
    expect(problems).toEqual([]);
  });

  it('behind a mirror, runs every pod-template image from the mirror', () => {
    const mirrored = builds.installs.filter((i) => i.mirrorHost !== undefined);
    expect(mirrored.length).toBeGreaterThan(0);
    const problems = mirrored.flatMap((i) =>
      kubeflowImages(i.kustomizations.flatMap((k) => [...k.objects]))
        .filter((img) => img.runs === 'pod' && !img.image.startsWith(`${i.mirrorHost}/`))
        .map((img) => `${i.env}: ${img.image} (${img.object} ${img.field}) not on ${i.mirrorHost}`),
    );
    expect(problems).toEqual([]);
  });

  it('finds each configuration image KUBEFLOW_CONFIG_IMAGES names where it says, and the platform patch sets it', () => {
    const problems: string[] = [];
    for (const [partId, entries] of Object.entries(KUBEFLOW_CONFIG_IMAGES)) {
      const part = KUBEFLOW_PARTS.find((p) => p.id === partId);
      for (const c of entries) {
        const upstream = (part?.paths ?? []).flatMap((p) => [...(builds.plain.get(p) ?? [])]).find((o) => matchesTarget(o, c.target));
        const before = atPointer(upstream, c.at);
        if (typeof before !== 'string' || imageRepository(before) !== imageRepository(c.image) || (c.pin !== true && before !== c.image)) problems.push(`${partId}: ${JSON.stringify(c.target)} ${c.at} holds ${JSON.stringify(before)} at ${KUBEFLOW_MANIFESTS.tag}, the catalog says ${c.image}`);
        if (c.pin === true && typeof before === 'string' && unpinnedReason(before) === undefined) problems.push(`${partId}: ${c.at} is pinned upstream (${before}): drop the pin`);
        for (const i of builds.installs) {
          const built = i.kustomizations.filter((k) => k.part.id === partId).flatMap((k) => [...k.objects]).find((o) => matchesTarget(o, c.target));
          const want = i.mirrorHost === undefined ? c.image : mirrorImage(c.image, i.mirrorHost);
          if (atPointer(built, c.at) !== want) problems.push(`${i.env}: ${partId} ${c.at} is ${JSON.stringify(atPointer(built, c.at))}, want ${want}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('behind a mirror, starts every configuration image from the mirror, except in the ConfigMaps the catalog says a patch cannot reach', () => {
    const known = new Map(KUBEFLOW_UNREDIRECTED_CONFIG.map((u) => [u.object, u]));
    const seen = new Set<string>();
    const problems: string[] = [];
    let unredirected = 0;
    for (const i of builds.installs.filter((x) => x.mirrorHost !== undefined)) {
      for (const img of kubeflowImages(i.kustomizations.flatMap((k) => [...k.objects]))) {
        if (img.runs !== 'config' || img.image.startsWith(`${i.mirrorHost}/`)) continue;
        // Generated ConfigMap names carry kustomize's hash suffix.
        const object = img.object.replace(/-[a-z0-9]{10}$/, '');
        if (known.has(object)) {
          seen.add(object);
          unredirected += 1;
        } else problems.push(`${i.env}: ${img.image} (${img.object} ${img.field}) is not on ${i.mirrorHost}`);
      }
    }
    for (const u of KUBEFLOW_UNREDIRECTED_CONFIG) if (!seen.has(u.object)) problems.push(`KUBEFLOW_UNREDIRECTED_CONFIG lists ${u.object}, which holds no unredirected image any more: drop it`);
    expect(problems).toEqual([]);
    const mirroredInstalls = builds.installs.filter((x) => x.mirrorHost !== undefined).length;
    FIGURES.push(`behind a mirror: ${unredirected / Math.max(1, mirroredInstalls)} configuration image references per environment, in ${seen.size} ConfigMaps, not redirected (KUBEFLOW_UNREDIRECTED_CONFIG)`);
  });

  it('pins every image it runs or starts (no latest, branch or development tags)', () => {
    const images = kubeflowImages(unmirrored().kustomizations.flatMap((k) => [...k.objects]));
    const unpinned = images.flatMap((i) => {
      const why = unpinnedReason(i.image);
      return why === undefined ? [] : [`${i.image}: ${why} (${i.object} ${i.field})`];
    });
    expect(unpinned).toEqual([]);
    const refs = new Set(images.map((i) => i.image));
    FIGURES.push(`images: ${refs.size} references (${new Set(images.filter((i) => i.runs === 'pod').map((i) => i.image)).size} in pod templates, ${new Set(images.filter((i) => i.runs === 'config').map((i) => i.image)).size} in configuration)`);
  });
});

describe('buildKubeflowInstall + kubeflowImages (what `npm run images` calls)', () => {
  it('gives, from a cluster\'s synthesized objects, the objects and images the suite built', () => {
    for (const i of builds.installs) {
      const cluster = rendered(i.env).find((c) => c.cluster.name === i.cluster);
      const objects = buildKubeflowInstall(builds.kustomize, (cluster?.files ?? []).flatMap((f) => [...f.objects]), kubeflowManifestsDir(repoRoot()));
      expect(objects.length).toBe(i.kustomizations.reduce((n, k) => n + k.objects.length, 0));
      const images = (objs: readonly ManifestObject[]) => [...new Set(kubeflowImages(objs).map((x) => x.image))].sort();
      expect(images(objects)).toEqual(images(i.kustomizations.flatMap((k) => [...k.objects])));
    }
  });
});

describe('what 26.03 installs', () => {
  const tagOf = (repository: string): string | undefined => {
    const found = kubeflowImages(unmirrored().kustomizations.flatMap((k) => [...k.objects])).find((i) => i.runs === 'pod' && imageRepository(i.image) === repository);
    return found === undefined ? undefined : imageTag(found.image);
  };

  it('records in KUBEFLOW_VERSIONS the versions the release runs', () => {
    expect({
      katib: tagOf('ghcr.io/kubeflow/katib/katib-controller'),
      notebooks: tagOf('ghcr.io/kubeflow/kubeflow/notebook-controller'),
      dashboard: tagOf('ghcr.io/kubeflow/kubeflow/central-dashboard'),
      profiles: tagOf('ghcr.io/kubeflow/kubeflow/profile-controller'),
      pipelines: tagOf('ghcr.io/kubeflow/kfp-api-server'),
      argoWorkflows: tagOf('quay.io/argoproj/workflow-controller'),
      modelRegistry: tagOf('ghcr.io/kubeflow/model-registry/server'),
      istio: tagOf('gcr.io/istio-release/pilot'),
      dex: tagOf('ghcr.io/dexidp/dex'),
      oauth2Proxy: tagOf('quay.io/oauth2-proxy/oauth2-proxy'),
    }).toEqual({
      katib: KUBEFLOW_VERSIONS.katib,
      notebooks: KUBEFLOW_VERSIONS.notebooks,
      dashboard: KUBEFLOW_VERSIONS.dashboard,
      profiles: KUBEFLOW_VERSIONS.profiles,
      pipelines: KUBEFLOW_VERSIONS.pipelines,
      argoWorkflows: KUBEFLOW_VERSIONS.argoWorkflows,
      modelRegistry: KUBEFLOW_VERSIONS.modelRegistry,
      istio: KUBEFLOW_VERSIONS.istio,
      dex: KUBEFLOW_VERSIONS.dex,
      oauth2Proxy: KUBEFLOW_VERSIONS.oauth2Proxy,
    });
  });

  it('installs the CRD groups KUBEFLOW_CRD_GROUPS names', () => {
    const groups = new Set(unmirrored().kustomizations.flatMap((k) => k.objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => String((o.spec as { group: string }).group))));
    expect(KUBEFLOW_CRD_GROUPS.filter((g) => !groups.has(g))).toEqual([]);
  });

  it('has CRD fixtures equal to the CRDs it installs (descriptions removed)', () => {
    const built = new Map(unmirrored().kustomizations.flatMap((k) => k.objects.filter((o) => o.kind === 'CustomResourceDefinition')).map((o) => [o.metadata.name, fixtureForm(o)]));
    const dir = path.join(repoRoot(), 'test', 'fixtures', 'crds');
    const problems: string[] = [];
    let compared = 0;
    for (const file of fs.readdirSync(dir).filter((f) => /^(kubeflow-(?!trainer)|katib)/.test(f) && f.endsWith('.yaml'))) {
      for (const d of YAML.parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
        const crd = d.toJS() as ManifestObject | null;
        if (crd?.kind !== 'CustomResourceDefinition') continue;
        const b = built.get(crd.metadata.name);
        compared += 1;
        if (b === undefined) problems.push(`${file}: ${crd.metadata.name} is not installed by ${KUBEFLOW_MANIFESTS.tag}`);
        else if (JSON.stringify(b.spec) !== JSON.stringify(crd.spec)) problems.push(`${file}: ${crd.metadata.name} differs from what ${KUBEFLOW_MANIFESTS.tag} installs (run test/upstream/kubeflow/refresh-crd-fixtures.ts)`);
      }
    }
    expect(problems).toEqual([]);
    expect(compared).toBeGreaterThan(0);
  });
});

describe('dependencies between the Kustomizations', () => {
  it('finds every namespace and CRD an object needs in its own Kustomization or one it depends on', () => {
    const problems: string[] = [];
    const install = unmirrored();
    const byName = new Map(install.kustomizations.map((k) => [k.flux.metadata.name, k]));
    const closure = (k: BuiltKustomization, seen = new Set<string>()): Set<string> => {
      if (seen.has(k.flux.metadata.name)) return seen;
      seen.add(k.flux.metadata.name);
      for (const d of k.flux.spec.dependsOn ?? []) {
        const dep = byName.get(d.name);
        if (dep !== undefined) closure(dep, seen);
      }
      return seen;
    };
    // Provided by the platform outside the Kubeflow Kustomizations: cert-manager's CRDs (an add-on).
    const platformCrdGroups = new Set(['cert-manager.io', 'acme.cert-manager.io']);
    const builtin = /^(v1|apps\/v1|batch\/v1|policy\/v1|rbac\.authorization\.k8s\.io\/v1|admissionregistration\.k8s\.io\/v1|apiextensions\.k8s\.io\/v1|apiregistration\.k8s\.io\/v1|autoscaling\/v2|networking\.k8s\.io\/v1|scheduling\.k8s\.io\/v1|storage\.k8s\.io\/v1|coordination\.k8s\.io\/v1|discovery\.k8s\.io\/v1)$/;
    for (const k of install.kustomizations) {
      const visible = [...closure(k)].map((n) => byName.get(n) as BuiltKustomization).flatMap((x) => [...x.objects]);
      const namespaces = new Set(visible.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
      const crds = new Set(visible.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => crdKey(`${(o.spec as { group: string }).group}/x`, (o.spec as { names: { kind: string } }).names.kind)));
      for (const o of k.objects) {
        if (o.metadata.namespace !== undefined && !namespaces.has(o.metadata.namespace) && o.metadata.namespace !== 'kube-system') problems.push(`${k.flux.metadata.name}: ${objectKey(o)} needs namespace ${o.metadata.namespace}, which neither it nor a Kustomization it depends on creates`);
        const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
        if (!builtin.test(o.apiVersion) && !platformCrdGroups.has(group) && !crds.has(crdKey(o.apiVersion, o.kind))) problems.push(`${k.flux.metadata.name}: ${objectKey(o)} (${o.apiVersion}) needs a CRD neither it nor a Kustomization it depends on installs`);
      }
    }
    expect([...new Set(problems)]).toEqual([]);
  });

  it('names the namespace of every namespaced object (else Flux and Pulumi would apply it to whichever namespace they default to)', () => {
    const clusterScoped = new Set(['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'PriorityClass', 'StorageClass', 'PersistentVolume', 'APIService']);
    const problems: string[] = [];
    for (const k of all()) {
      const clusterCrds = new Set(k.objects.filter((o) => o.kind === 'CustomResourceDefinition' && (o.spec as { scope?: string }).scope === 'Cluster').map((o) => (o.spec as { names: { kind: string } }).names.kind));
      for (const o of k.objects) if (o.metadata.namespace === undefined && !clusterScoped.has(o.kind) && !clusterCrds.has(o.kind)) problems.push(`${k.env}/${k.flux.metadata.name}: ${objectKey(o)}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('a real kube-apiserver', () => {
  const results: ApplyFigures[] = [];
  afterAll(() => {
    for (const r of results) FIGURES.push(`apiserver ${r.env}: ${r.accepted}/${r.objects} objects accepted (${r.dryRun} dry-run), ${r.crds} CRDs, ${r.seconds} s; per Kustomization: ${r.perKustomization.map((p) => `${p.name} ${p.accepted}/${p.objects}`).join(', ')}`);
  });

  it('accepts every object of every environment', async () => {
    const problems: string[] = [];
    await applyInstall(builds.installs, (r) => {
      results.push(r);
      problems.push(...r.errors.map((e) => `${r.env}: ${e}`));
    });
    expect(problems).toEqual([]);
    for (const r of results) expect(r.accepted).toBe(r.objects);
  }, 900000);
});
