import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { AddonDefinition, ADDONS, crdOwner, KUBEFLOW_CRD_GROUPS } from '../../constructs/catalog';
import { PREREQUISITE_CRD_GROUPS } from './prerequisite-crds';
import { apiGroupOf, ManifestObject } from '../manifests';
import { DeploymentPlan } from './deployment-plan';
import { userCacheDir } from './user-cache';

/**
 * How the program installs the add-ons (stack setting `addonInstall`):
 * - `helm` (default): each add-on is a Helm release of its pinned chart, which brings its CRDs.
 * - `crds-only`: for clusters that cannot fetch charts (the offline integration tests). Each add-on
 *   is still a Helm release with the same name, namespace, version and values, but of a local
 *   stand-in chart that holds only the add-on's CRDs, read from a directory of CRD manifests
 *   (stack setting `crdDirectory`, default the repository's test/fixtures/crds/). One more
 *   release installs the CRDs that cluster provisioning would bring (Karpenter, Cluster API, ...).
 *   Everything else is unchanged. As with the real charts, the CRDs sit in the chart's crds/
 *   directory: Helm installs them first and never deletes them. With stack setting `realCharts`
 *   (ids), those add-ons install their real chart all the same (from `chartDirectory`, a Helm chart
 *   repository on disk, when set): the test clusters run every chart that needs no admission
 *   webhook or storage the test cluster cannot provide.
 */
export type AddonInstallMode = 'helm' | 'crds-only';

export const ADDON_INSTALL_MODES: readonly AddonInstallMode[] = ['helm', 'crds-only'];

export function parseAddonInstallMode(value: string | undefined): AddonInstallMode {
  if (value === undefined || value === '') return 'helm';
  if ((ADDON_INSTALL_MODES as readonly string[]).includes(value)) return value as AddonInstallMode;
  throw new Error(`config addonInstall must be one of ${ADDON_INSTALL_MODES.join(', ')} (got "${value}")`);
}

/**
 * Stack setting `realCharts` (with `crds-only`): a comma-separated list of catalog ids that install
 * their real chart all the same, e.g. the charts a test cluster can run because they register no
 * admission webhook it cannot serve.
 */
export function parseRealCharts(value: string | undefined): string[] {
  const ids = (value ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
  const known = ADDONS.map((a) => a.id) as readonly string[];
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length > 0) throw new Error(`config realCharts names unknown add-on(s) ${unknown.join(', ')}: known add-ons are ${known.join(', ')}`);
  return ids;
}

/** The CRDs `crds-only` applies to one cluster: per add-on (in place of its release), and the cluster's own. */
export interface CrdInstallPlan {
  /** Add-on id -> the CRDs of its API groups. */
  readonly byAddon: ReadonlyMap<string, readonly ManifestObject[]>;
  /** CRDs cluster provisioning would bring, for the kinds the platform objects use. */
  readonly cluster: readonly ManifestObject[];
}

const CLUSTER_GROUPS = new Set<string>([...PREREQUISITE_CRD_GROUPS, ...KUBEFLOW_CRD_GROUPS]);

/** Release (and stand-in chart) name of the CRDs cluster provisioning brings, and its namespace. */
export const CLUSTER_CRDS_RELEASE = { name: 'cluster-provided-crds', namespace: 'kube-system', version: '0.0.0' } as const;

interface CrdShape {
  readonly spec: { readonly group: string; readonly names: { readonly kind: string } };
}

const crdGroup = (crd: ManifestObject): string => (crd as unknown as CrdShape).spec.group;
const crdKind = (crd: ManifestObject): string => (crd as unknown as CrdShape).spec.names.kind;

/** Every CustomResourceDefinition in the *.yaml files of a directory, sorted by name. */
export function loadCrds(dir: string, cacheRoot: string = parsedCrdCacheRoot()): ManifestObject[] {
  if (!fs.existsSync(dir)) throw new Error(`addonInstall crds-only: CRD directory ${dir} does not exist (config crdDirectory)`);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  const texts = files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
  // The program runs twice per `pulumi up` (preview, update): parsing these 12 MB of YAML took 2 s a run; JSON.parse of the same takes 0.1 s.
  const hash = createHash('sha256');
  files.forEach((f, i) => hash.update(`${f}\0${texts[i]}\0`));
  const cached = path.join(cacheRoot, `${hash.digest('hex').slice(0, 16)}.json`);
  if (fs.existsSync(cached)) return JSON.parse(fs.readFileSync(cached, 'utf8')) as ManifestObject[];
  const crds: ManifestObject[] = [];
  for (const text of texts) {
    for (const doc of YAML.parseAllDocuments(text)) {
      const obj = doc.toJS() as ManifestObject | null;
      if (obj !== null && obj.kind === 'CustomResourceDefinition' && apiGroupOf(obj.apiVersion) === 'apiextensions.k8s.io') crds.push(obj);
    }
  }
  crds.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  // Written beside, then renamed: a concurrent run never reads half a file.
  fs.mkdirSync(cacheRoot, { recursive: true });
  const tmp = `${cached}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(crds));
  fs.renameSync(tmp, cached);
  return crds;
}

/** Where loadCrds keeps what it parsed, by content: the user's cache, beside the stand-in charts. */
export function parsedCrdCacheRoot(): string {
  return userCacheDir('parsed-crds');
}

/** test/fixtures/crds/ of the repository this program runs from (ts source or compiled build/). */
export function defaultCrdDirectory(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'fixtures', 'crds');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`addonInstall crds-only: no test/fixtures/crds above ${from}; set config crdDirectory`);
  }
}

interface CrdVersionShape {
  readonly name: string;
  readonly storage?: boolean;
}

/**
 * A stand-in chart runs no controller, so a CRD whose conversion webhook the add-on's controller
 * serves (sigstore's ClusterImagePolicy) could store no object of a non-storage version. Such a
 * CRD gets conversion `None`, with the version the platform writes as the storage version.
 */
export function withoutConversionWebhook(crd: ManifestObject, writtenVersions: ReadonlySet<string>): ManifestObject {
  const spec = crd.spec as { conversion?: { strategy?: string }; versions: readonly CrdVersionShape[] };
  if (spec.conversion?.strategy !== 'Webhook') return crd;
  const storage = writtenVersions.size === 1 ? [...writtenVersions][0] : spec.versions.find((v) => v.storage)?.name;
  return { ...crd, spec: { ...spec, conversion: { strategy: 'None' }, versions: spec.versions.map((v) => ({ ...v, storage: v.name === storage })) } };
}

/**
 * Picks the CRDs for one cluster. Throws, naming them, when an object's kind has no CRD in the
 * set: the apply would fail later and less clearly.
 */
export function planCrds(plan: DeploymentPlan, allCrds: readonly ManifestObject[]): CrdInstallPlan {
  const written = new Map<string, Set<string>>();
  for (const o of [...plan.platformObjects, ...[...plan.customResources.values()].flat()]) {
    const key = `${apiGroupOf(o.apiVersion)}/${o.kind}`;
    written.set(key, (written.get(key) ?? new Set()).add(o.apiVersion.split('/')[1] ?? o.apiVersion));
  }
  const crds = allCrds.map((c) => withoutConversionWebhook(c, written.get(`${crdGroup(c)}/${crdKind(c)}`) ?? new Set()));
  const byAddon = new Map<string, ManifestObject[]>();
  for (const release of plan.releases) {
    byAddon.set(release.addon.id, crds.filter((c) => crdOwner(crdGroup(c), crdKind(c))?.id === release.addon.id));
  }
  const kindKey = (group: string, kind: string): string => `${group}/${kind}`;
  const clusterKinds = new Set(plan.platformObjects.filter((o) => CLUSTER_GROUPS.has(apiGroupOf(o.apiVersion))).map((o) => kindKey(apiGroupOf(o.apiVersion), o.kind)));
  const cluster = crds.filter((c) => clusterKinds.has(kindKey(crdGroup(c), crdKind(c))));

  const available = new Set([...byAddon.values(), cluster].flat().map((c) => kindKey(crdGroup(c), crdKind(c))));
  const needed = [...plan.customResources.values()].flat().map((o) => kindKey(apiGroupOf(o.apiVersion), o.kind));
  const missing = [...new Set([...needed, ...clusterKinds].filter((k) => !available.has(k)))].sort();
  if (missing.length > 0) {
    throw new Error(`addonInstall crds-only: ${plan.cluster.name} uses kinds with no CRD in the CRD directory: ${missing.join(', ')}`);
  }
  return { byAddon, cluster };
}

/** A chart with Chart.yaml and crds/<name>.yaml only: what Helm needs to install CRDs offline. */
export interface StandInChart {
  readonly name: string;
  readonly version: string;
  readonly crds: readonly ManifestObject[];
}

export function standInChart(addon: Pick<AddonDefinition, 'chart'>, crds: readonly ManifestObject[]): StandInChart {
  return { name: addon.chart.name, version: addon.chart.version, crds };
}

/** The files of a stand-in chart, by path inside the chart directory. */
export function standInChartFiles(chart: StandInChart): Record<string, string> {
  const files: Record<string, string> = {
    'Chart.yaml': YAML.stringify({
      apiVersion: 'v2',
      name: chart.name,
      version: chart.version,
      description: 'Offline stand-in (addonInstall: crds-only): only the CRDs of the real chart.',
      type: 'application',
    }),
  };
  for (const crd of chart.crds) files[`crds/${crd.metadata.name}.yaml`] = `${JSON.stringify(crd)}\n`;
  return files;
}

/**
 * Where stand-in charts are kept: the user's cache (`${XDG_CACHE_HOME:-~/.cache}/hybrid-ml-platform/
 * stand-in-charts`), beside the built binaries. Not the temp dir: the charts outlive the process that
 * writes them (the engine reads them during `pulumi up`), and a test run must leave temp as it found it.
 */
export function standInChartRoot(): string {
  return userCacheDir('stand-in-charts');
}

/**
 * Writes a stand-in chart to a directory named after its content, under `root` (default
 * standInChartRoot()), and returns the directory: the same chart always gets the same path, so the
 * release's `chart` input does not change between runs.
 */
export function writeStandInChart(chart: StandInChart, root: string = standInChartRoot()): string {
  const files = standInChartFiles(chart);
  const hash = createHash('sha256');
  for (const [f, text] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) hash.update(`${f}\0${text}\0`);
  const dir = path.join(root, `${chart.name}-${hash.digest('hex').slice(0, 12)}`);
  if (!fs.existsSync(path.join(dir, 'Chart.yaml'))) {
    // Written beside, then renamed: a concurrent run never sees half a chart.
    const tmp = `${dir}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    for (const [f, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(tmp, f)), { recursive: true });
      fs.writeFileSync(path.join(tmp, f), text);
    }
    try {
      fs.renameSync(tmp, dir);
    } catch (e) {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!fs.existsSync(path.join(dir, 'Chart.yaml'))) throw e;
    }
  }
  return dir;
}
