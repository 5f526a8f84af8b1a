/**
 * Helpers for platform.test.ts: the CRD fixtures a cluster's output needs, the ordered
 * server-side apply of the synthesized files, a resourceVersion snapshot of every applied
 * object, and pod manifests for the admission and scheduling checks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { ManifestFile, ManifestObject, toYaml } from '../../stacks/manifests';
import { KubeApi, mapConcurrent } from './api-client';
import { ControlPlane, KubectlResult } from './control-plane';

export const FIELD_MANAGER = 'hml-platform-test';
export const CRD_FIXTURES = path.join(__dirname, '..', 'fixtures', 'crds');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) {
      return v;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    }
    await sleep(everyMs);
  }
}

export const seconds = (since: number): number => Math.round((Date.now() - since) / 100) / 10;

export const objectKey = (o: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): string =>
  `${o.kind} ${o.metadata.namespace === undefined ? '' : `${o.metadata.namespace}/`}${o.metadata.name} (${o.apiVersion})`;

export const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

// --- CRDs --------------------------------------------------------------------

export interface CrdFixture {
  readonly file: string;
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  readonly servedVersions: readonly string[];
  readonly doc: Record<string, unknown>;
}

interface CrdDoc {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string };
  readonly spec?: { readonly group?: string; readonly names?: { readonly kind?: string }; readonly versions?: readonly { readonly name: string; readonly served: boolean }[] };
}

let fixtureCache: CrdFixture[] | undefined;

/** Every CustomResourceDefinition in test/fixtures/crds/*.yaml. */
export function crdFixtures(): CrdFixture[] {
  if (fixtureCache === undefined) {
    fixtureCache = [];
    for (const file of fs.readdirSync(CRD_FIXTURES).filter((f) => f.endsWith('.yaml')).sort()) {
      for (const d of YAML.parseAllDocuments(fs.readFileSync(path.join(CRD_FIXTURES, file), 'utf8'))) {
        const doc = d.toJS() as (CrdDoc & Record<string, unknown>) | null;
        if (doc?.kind !== 'CustomResourceDefinition' || !doc.spec?.group || !doc.spec.names?.kind || !doc.metadata?.name) continue;
        fixtureCache.push({
          file,
          name: doc.metadata.name,
          group: doc.spec.group,
          kind: doc.spec.names.kind,
          servedVersions: (doc.spec.versions ?? []).filter((v) => v.served).map((v) => v.name),
          doc,
        });
      }
    }
  }
  return fixtureCache;
}

export interface CrdSelection {
  readonly crds: readonly CrdFixture[];
  /** apiVersion/kind pairs of the output that neither the API server nor a fixture serves. */
  readonly missing: readonly string[];
  /** What was changed in a CRD for the test cluster, and why (see withoutConversionWebhook). */
  readonly adjustments: readonly string[];
}

interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly storage: boolean;
}

/**
 * A CRD whose conversion webhook is served by its add-on's controller (sigstore's
 * ClusterImagePolicy: webhook in cosign-system, storage v1alpha1) cannot store an object of
 * another version on a control plane where that controller does not run. For the test, the
 * version the output writes becomes the storage version and conversion becomes None, so the
 * object is validated against exactly the schema of the version the platform emits and stored
 * without conversion. Nothing else of the CRD changes.
 */
function withoutConversionWebhook(crd: CrdFixture, usedVersions: ReadonlySet<string>): { doc: Record<string, unknown>; adjustment?: string } {
  const spec = crd.doc.spec as { conversion?: { strategy?: string }; versions: CrdVersion[] };
  if (spec.conversion?.strategy !== 'Webhook') return { doc: crd.doc };
  const stored = spec.versions.find((v) => v.storage)?.name;
  const target = usedVersions.size === 1 ? [...usedVersions][0] : stored;
  const versions = spec.versions.map((v) => ({ ...v, storage: v.name === target }));
  return {
    doc: { ...crd.doc, spec: { ...spec, conversion: { strategy: 'None' }, versions } },
    adjustment: `${crd.name}: conversion webhook (served by the add-on's controller, not running here) replaced by None; storage version ${stored} -> ${target}, the version the output writes`,
  };
}

/**
 * The CRDs this cluster's objects need: every apiVersion the bare API server does not serve
 * must come from a fixture CRD of the same group and kind that serves that version.
 */
export async function selectCrds(api: KubeApi, objects: readonly ManifestObject[]): Promise<CrdSelection> {
  const builtinGroups = await api.json<{ groups: { name: string; versions: { version: string }[] }[] }>('GET', '/apis');
  const served = new Set<string>(['v1', ...builtinGroups.groups.flatMap((g) => g.versions.map((v) => `${g.name}/${v.version}`))]);
  const needed = new Map<string, CrdFixture>();
  const versionsUsed = new Map<string, Set<string>>();
  const missing = new Set<string>();
  for (const o of objects) {
    if (served.has(o.apiVersion)) continue;
    const version = o.apiVersion.split('/')[1];
    const crd = crdFixtures().find((c) => c.group === groupOf(o.apiVersion) && c.kind === o.kind && c.servedVersions.includes(version));
    if (crd === undefined) {
      missing.add(`${o.apiVersion}/${o.kind}`);
      continue;
    }
    needed.set(crd.name, crd);
    versionsUsed.set(crd.name, (versionsUsed.get(crd.name) ?? new Set<string>()).add(version));
  }
  const adjustments: string[] = [];
  const crds = [...needed.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((c) => {
      const { doc, adjustment } = withoutConversionWebhook(c, versionsUsed.get(c.name) ?? new Set());
      if (adjustment !== undefined) adjustments.push(adjustment);
      return { ...c, doc };
    });
  return { crds, missing: [...missing].sort(), adjustments };
}

/**
 * Server-side apply of the CRDs (several exceed the 256 KiB last-applied annotation a
 * client-side apply would write), then wait until each is Established and served.
 */
export async function installCrds(cp: ControlPlane, api: KubeApi, crds: readonly CrdFixture[]): Promise<KubectlResult> {
  const stream = crds.map((c) => JSON.stringify(c.doc)).join('\n---\n');
  const applied = await cp.kubectl(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-o', 'name', '-f', '-'], stream);
  if (applied.code !== 0) return applied;
  // Polled rather than `kubectl wait`: that fails outright ("status.conditions accessor error") on a
  // CRD the server has not yet written any condition for, which a just-created CRD may not have.
  for (const c of crds) {
    await poll(`CRD ${c.name} Established`, async () => {
      const crd = await api.json<{ status?: { conditions?: { type: string; status: string }[] } }>('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${c.name}`);
      return crd.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True') ? true : undefined;
    });
  }
  // Established means served, but discovery documents are refreshed asynchronously.
  for (const c of crds) {
    const version = c.servedVersions[0];
    await poll(`discovery of ${c.kind} ${c.group}/${version}`, async () => ((await api.resourceType(`${c.group}/${version}`, c.kind).catch(() => undefined)) ? true : undefined), 30000);
  }
  return applied;
}

// --- applying the output -----------------------------------------------------------

export interface FileApply {
  readonly file: string;
  readonly objects: number;
  /** `kubectl apply -o name` lines: one per object the server accepted. */
  readonly acceptedNames: readonly string[];
  readonly errors: readonly string[];
  readonly code: number;
  readonly seconds: number;
}

/** Writes the files as `dist/` would have them and applies them server-side, one by one, in order. */
export async function applyFiles(cp: ControlPlane, files: readonly ManifestFile[], subdir: string): Promise<FileApply[]> {
  const dir = path.join(cp.dir, subdir);
  fs.mkdirSync(dir, { recursive: true });
  const results: FileApply[] = [];
  for (const f of files) {
    const file = path.join(dir, f.name);
    fs.writeFileSync(file, toYaml(f.objects));
    const t = Date.now();
    // No --force-conflicts: a conflict with another manager would be a finding, not noise.
    const res = await cp.kubectl(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-o', 'name', '-f', file]);
    results.push({
      file: f.name,
      objects: f.objects.length,
      acceptedNames: res.stdout.split('\n').filter((l) => l.trim() !== ''),
      errors: res.stderr.split('\n').filter((l) => l.trim() !== ''),
      code: res.code,
      seconds: seconds(t),
    });
  }
  return results;
}

export interface LiveObject {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly resourceVersion: string;
    readonly generation?: number;
    readonly managedFields?: readonly { readonly manager?: string; readonly operation?: string; readonly subresource?: string }[];
  };
}

export interface ObjectState {
  readonly key: string;
  readonly status: number;
  readonly resourceVersion?: string;
  readonly generation?: number;
  /** The object as JSON without resourceVersion, managedFields and status: what a change would change. */
  readonly content?: string;
  /** Managers that wrote the object, e.g. `hml-platform-test/Apply`. */
  readonly managers: readonly string[];
  readonly error?: string;
}

/** GET every object: does it exist, at which resourceVersion, who manages it. */
export async function snapshot(api: KubeApi, objects: readonly ManifestObject[]): Promise<Map<string, ObjectState>> {
  const states = await mapConcurrent(objects, api.concurrency, async (o): Promise<ObjectState> => {
    const key = objectKey(o);
    const res = await api.request('GET', await api.objectPath(o));
    if (res.status !== 200) {
      const message = (JSON.parse(res.body) as { message?: string }).message ?? res.body;
      return { key, status: res.status, managers: [], error: message };
    }
    const live = JSON.parse(res.body) as LiveObject & Record<string, unknown>;
    const managers = (live.metadata.managedFields ?? []).map((m) => `${m.manager ?? '?'}/${m.operation ?? '?'}${m.subresource ? `(${m.subresource})` : ''}`);
    const { status: _status, metadata, ...rest } = live;
    const { resourceVersion: _rv, managedFields: _mf, ...meta } = metadata;
    return { key, status: 200, resourceVersion: live.metadata.resourceVersion, generation: live.metadata.generation, content: JSON.stringify({ ...rest, metadata: meta }), managers };
  });
  return new Map(states.map((s) => [s.key, s]));
}

/** Snapshots until two in a row are equal: controllers (quota status) have settled. */
export async function settledSnapshot(api: KubeApi, objects: readonly ManifestObject[], timeoutMs = 60000): Promise<Map<string, ObjectState>> {
  let last = await snapshot(api, objects);
  return poll(
    'object resourceVersions to settle',
    async () => {
      await sleep(1000);
      const next = await snapshot(api, objects);
      const same = [...next].every(([k, s]) => last.get(k)?.resourceVersion === s.resourceVersion);
      last = next;
      return same ? next : undefined;
    },
    timeoutMs,
    0,
  );
}

// --- pods ----------------------------------------------------------------------------

export const RESTRICTED_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  runAsNonRoot: true,
  runAsUser: 10001,
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

export interface PodOptions {
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  readonly serviceAccountName?: string;
  readonly securityContext?: Record<string, unknown>;
  readonly resources?: { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> };
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations?: readonly Record<string, string>[];
  readonly volumes?: readonly Record<string, unknown>[];
  readonly volumeMounts?: readonly Record<string, unknown>[];
  readonly labels?: Record<string, string>;
}

export function podManifest(o: PodOptions): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: o.name, namespace: o.namespace, labels: { 'ml.platform/test': 'cluster', ...(o.labels ?? {}) } },
    spec: {
      serviceAccountName: o.serviceAccountName ?? 'workload',
      ...(o.nodeSelector === undefined ? {} : { nodeSelector: o.nodeSelector }),
      ...(o.tolerations === undefined ? {} : { tolerations: o.tolerations }),
      ...(o.volumes === undefined ? {} : { volumes: o.volumes }),
      containers: [
        {
          name: 'app',
          image: o.image,
          securityContext: o.securityContext ?? RESTRICTED_SECURITY_CONTEXT,
          ...(o.resources === undefined ? {} : { resources: o.resources }),
          ...(o.volumeMounts === undefined ? {} : { volumeMounts: o.volumeMounts }),
        },
      ],
    },
  };
}

export interface CreateResult {
  readonly status: number;
  readonly reason?: string;
  readonly message: string;
}

/** POST a pod for real (no dry-run); returns the HTTP status and the API server's message. */
export async function createPod(api: KubeApi, pod: Record<string, unknown>): Promise<CreateResult> {
  const ns = (pod.metadata as { namespace: string }).namespace;
  const res = await api.request('POST', `/api/v1/namespaces/${ns}/pods`, pod);
  if (res.status === 201) {
    return { status: 201, message: 'created' };
  }
  const body = JSON.parse(res.body) as { reason?: string; message?: string };
  return { status: res.status, reason: body.reason, message: body.message ?? res.body };
}

export interface LivePod {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly annotations?: Record<string, string> };
  readonly spec: {
    readonly nodeName?: string;
    readonly serviceAccountName?: string;
    readonly automountServiceAccountToken?: boolean;
    readonly imagePullSecrets?: readonly { readonly name: string }[];
    readonly volumes?: readonly { readonly name: string }[];
    readonly tolerations?: readonly { readonly key?: string }[];
    readonly containers: readonly { readonly resources?: { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> } }[];
  };
  readonly status: { readonly phase?: string; readonly conditions?: readonly { readonly type: string; readonly status: string; readonly reason?: string; readonly message?: string }[] };
}

export const getPod = (api: KubeApi, namespace: string, name: string): Promise<LivePod> => api.json<LivePod>('GET', `/api/v1/namespaces/${namespace}/pods/${name}`);
