/**
 * The images a Kubeflow install runs, read from the objects `kustomize build` makes of the pinned
 * manifests (see kubeflow-build.ts). Two kinds:
 *
 * - `pod`: an `image` of a container, init container or ephemeral container in a pod template
 *   (Deployments, StatefulSets, DaemonSets, Jobs, ...). Kustomize's `images` transformer, and so
 *   the platform's mirror redirect, rewrites these.
 * - `config`: an image a component starts pods from, written in its configuration: an env var or
 *   flag naming an image (KFP's driver, launcher and cache image, Argo's executor), `image` keys in
 *   YAML held by ConfigMaps (Katib's suggestions, metrics collectors and trial templates, the
 *   notebook images the Jupyter web app offers, Istio's injection templates) and Istio's sidecar
 *   proxy (hub + image + tag in the injector's values). Kustomize's `images` transformer does not
 *   reach these; a mirror needs them all the same.
 *
 * Pure: objects in, references out (as written, no normalisation), sorted and unique per place.
 */
import * as YAML from 'yaml';
import { ManifestObject } from '../manifests';

export interface KubeflowImage {
  /** The reference as written in the manifests, e.g. `ghcr.io/kubeflow/kfp-driver:2.16.0`, `mysql:8.0`. */
  readonly image: string;
  /** `pod`: a container image in a pod template; `config`: an image a component starts pods from. */
  readonly runs: 'pod' | 'config';
  /** The object, as `Kind namespace/name`. */
  readonly object: string;
  /** Where in the object, e.g. `containers[api-server]`, `env V2_DRIVER_IMAGE`, `data[katib-config.yaml]`. */
  readonly field: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const objectName = (o: ManifestObject): string => `${o.kind} ${o.metadata.namespace === undefined ? '' : `${o.metadata.namespace}/`}${o.metadata.name}`;

/** Go template expressions (`{{ .ProxyImage }}`) are filled in at run time: not a reference. */
const isReference = (s: string): boolean => s.trim() !== '' && !s.includes('{{') && !/\s/.test(s.trim());

interface Container {
  readonly name?: string;
  readonly image?: unknown;
  readonly args?: unknown;
  readonly command?: unknown;
  readonly env?: readonly { readonly name?: string; readonly value?: unknown; readonly valueFrom?: { readonly configMapKeyRef?: { readonly name?: string; readonly key?: string } } }[];
}

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** Every container of every pod spec inside a value (any depth, so CRs holding pod templates count too). */
function containers(value: unknown): Container[] {
  if (Array.isArray(value)) return value.flatMap(containers);
  if (!isObject(value)) return [];
  const own = Array.isArray(value.containers) ? CONTAINER_LISTS.flatMap((k) => (Array.isArray(value[k]) ? (value[k] as unknown[]).filter(isObject) : [])) : [];
  return [...(own as Container[]), ...Object.values(value).flatMap(containers)];
}

/** `image`, and the Jupyter web app's `imageGroupOne`/`imageGroupTwo` (not `imagePullPolicy`). */
const IMAGE_KEY = /^image(Group[A-Z][A-Za-z]*)?$/;

/** `image` keys in parsed configuration: a string, or a picker `{ value, options[] }` (Jupyter web app). */
function configImages(value: unknown, at: string): { image: string; at: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => configImages(v, `${at}[${i}]`));
  if (!isObject(value)) return [];
  const found: { image: string; at: string }[] = [];
  for (const [k, v] of Object.entries(value)) {
    const path = at === '' ? k : `${at}.${k}`;
    if (IMAGE_KEY.test(k) && typeof v === 'string' && isReference(v) && /[:/@]/.test(v)) found.push({ image: v.trim(), at: path });
    else if (IMAGE_KEY.test(k) && isObject(v) && (typeof v.value === 'string' || Array.isArray(v.options))) {
      for (const s of [v.value, ...(Array.isArray(v.options) ? v.options : [])]) if (typeof s === 'string' && isReference(s)) found.push({ image: s.trim(), at: path });
    } else found.push(...configImages(v, path));
  }
  return found;
}

/** Lines `image: <ref>` of text that does not parse as YAML (Go templates such as Istio's injection templates). */
const imageLines = (text: string): string[] =>
  [...text.matchAll(/^\s*(?:-\s*)?image:\s*["']?([^"'\s#]+)["']?\s*$/gm)].map((m) => m[1]).filter(isReference);

/** Istio's injector values: the sidecar (and init) image is `<hub>/<image>:<tag>` unless `image` is a full reference. */
function istioValuesImages(values: unknown): { image: string; at: string }[] {
  if (!isObject(values) || !isObject(values.global)) return [];
  const g = values.global;
  const hub = typeof g.hub === 'string' ? g.hub : '';
  const tag = typeof g.tag === 'string' ? g.tag : '';
  const out: { image: string; at: string }[] = [];
  for (const key of ['proxy', 'proxy_init']) {
    const p = g[key];
    if (!isObject(p) || typeof p.image !== 'string' || p.image === '') continue;
    const image = p.image.includes('/') || p.image.includes(':') ? p.image : `${hub}/${p.image}:${tag}`;
    if (hub !== '' || image !== p.image) out.push({ image, at: `values.global.${key}.image` });
  }
  return out;
}

/**
 * Env vars and flags that name an image: `*_IMAGE` env values (also from a ConfigMap key; a
 * repository alone takes its tag from `*_TAG`, or KFP_VERSION as the Pipelines profile controller
 * does), `--*-image` flags.
 */
function containerConfigImages(c: Container, configMaps: ReadonlyMap<string, ManifestObject>, namespace: string | undefined): { image: string; at: string }[] {
  const out: { image: string; at: string }[] = [];
  const envValue = (name: string): { value?: string; via: string } => {
    const e = (c.env ?? []).find((x) => x.name === name);
    if (e === undefined) return { via: '' };
    const ref = e.valueFrom?.configMapKeyRef;
    if (ref === undefined) return { value: typeof e.value === 'string' ? e.value : undefined, via: '' };
    const v = (configMaps.get(`${namespace ?? ''}/${ref.name ?? ''}`)?.data as Json | undefined)?.[ref.key ?? ''];
    return { value: typeof v === 'string' ? v : undefined, via: ` (ConfigMap ${ref.name} ${ref.key})` };
  };
  for (const e of c.env ?? []) {
    if (e.name === undefined || !/_IMAGE$/.test(e.name)) continue;
    const { value, via } = envValue(e.name);
    if (value === undefined || !isReference(value)) continue;
    const tag = imageTag(value) === '' && !value.includes('@') ? (envValue(e.name.replace(/_IMAGE$/, '_TAG')).value ?? envValue('KFP_VERSION').value) : undefined;
    out.push({ image: tag === undefined ? value.trim() : `${value.trim()}:${tag}`, at: `env ${e.name}${via}${tag === undefined ? '' : ' + tag'}` });
  }
  const args = [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])].filter((a): a is string => typeof a === 'string');
  args.forEach((a, i) => {
    const m = /^--?([a-z0-9-]*image)(?:=(.+))?$/i.exec(a);
    if (m === null) return;
    const value = m[2] ?? args[i + 1];
    if (value !== undefined && isReference(value) && !value.startsWith('-')) out.push({ image: value, at: `flag --${m[1]}` });
  });
  return out;
}

/** Every image the built Kubeflow objects run or start, with where each is written. */
export function kubeflowImages(objects: readonly ManifestObject[]): KubeflowImage[] {
  const configMaps = new Map(objects.filter((o) => o.kind === 'ConfigMap').map((o) => [`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
  const found = new Map<string, KubeflowImage>();
  const add = (i: KubeflowImage): void => {
    found.set(`${i.image}|${i.runs}|${i.object}|${i.field}`, i);
  };
  for (const o of objects) {
    const object = objectName(o);
    for (const c of containers(o)) {
      if (typeof c.image === 'string' && isReference(c.image)) add({ image: c.image, runs: 'pod', object, field: `containers[${c.name ?? '?'}]` });
      for (const { image, at } of containerConfigImages(c, configMaps, o.metadata.namespace)) add({ image, runs: 'config', object, field: `containers[${c.name ?? '?'}] ${at}` });
    }
    if (o.kind !== 'ConfigMap' || !isObject(o.data)) continue;
    for (const [key, text] of Object.entries(o.data)) {
      if (typeof text !== 'string') continue;
      let parsed: unknown;
      try {
        parsed = key.endsWith('.json') || text.trimStart().startsWith('{') ? JSON.parse(text) : YAML.parse(text);
      } catch {
        parsed = undefined;
      }
      const hits =
        parsed === undefined
          ? imageLines(text).map((image) => ({ image, at: '' }))
          : [...configImages(parsed, ''), ...istioValuesImages(parsed), ...containers(parsed).flatMap((c) => (typeof c.image === 'string' && isReference(c.image) ? [{ image: c.image, at: `containers[${c.name ?? '?'}]` }] : []))];
      // A bare scalar (`cacheImage: ghcr.io/...`) is a value of its own key.
      if (/image$/i.test(key) && typeof parsed === 'string' && isReference(parsed) && /[:/@]/.test(parsed)) hits.push({ image: parsed, at: '' });
      for (const { image, at } of hits) add({ image, runs: 'config', object, field: `data[${key}]${at === '' ? '' : ` ${at}`}` });
    }
  }
  return [...found.values()].sort((a, b) => a.image.localeCompare(b.image) || a.object.localeCompare(b.object) || a.field.localeCompare(b.field));
}

/** The repository of a reference as written (no tag, no digest), the name kustomize's images transformer matches. */
export function imageRepository(ref: string): string {
  const at = ref.indexOf('@');
  const rest = at >= 0 ? ref.slice(0, at) : ref;
  const colon = rest.lastIndexOf(':');
  return colon > rest.lastIndexOf('/') ? rest.slice(0, colon) : rest;
}

/** Tag of a reference as written ('' when it has none). */
export function imageTag(ref: string): string {
  const at = ref.indexOf('@');
  const rest = at >= 0 ? ref.slice(0, at) : ref;
  const colon = rest.lastIndexOf(':');
  return colon > rest.lastIndexOf('/') ? rest.slice(colon + 1) : '';
}

/**
 * Why a reference is not pinned, or undefined when it is: a digest, or a tag that names a release
 * (not `latest`, a branch such as `main`/`master`, `nightly`, `edge`, or a `-dev`/`-snapshot` build).
 */
export function unpinnedReason(ref: string): string | undefined {
  if (ref.includes('@sha256:')) return undefined;
  const tag = imageTag(ref);
  if (tag === '') return 'no tag (pulls latest)';
  if (/^(latest|main|master|nightly|edge|dev|stable|head)$/i.test(tag)) return `floating tag ${tag}`;
  if (/[-.](dev|snapshot|nightly)(\b|$)/i.test(tag)) return `development tag ${tag}`;
  return undefined;
}
