import { parseImage } from '../../constructs/supply-chain/image-mirror';
import { podSpecImages } from '../pod-images';

/**
 * Every container image a set of rendered objects runs or makes an operator run: the pod templates,
 * and the operand images operators start from their configuration (GPU Operator ClusterPolicy
 * components, prometheus-operator's config reloader flag, the Prometheus and Alertmanager images in
 * their custom resources, KServe's agent and storage initializer in its ConfigMap, Trivy's scanner in
 * the operator's ConfigMap, images in environment variables of Kubeflow's controllers).
 */
export function renderedImages(objects: readonly unknown[]): string[] {
  const found = new Set<string>();
  for (const o of objects) {
    for (const image of podSpecImages(o)) found.add(image);
    collectOperandImages(isRecord(o) ? runningOperands(o) : o, [], found);
  }
  return [...found].sort();
}

/** A reference with an explicit registry host (one with a dot, a port, or localhost) and a tag or digest. */
const HOSTED_IMAGE = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?|localhost(?::\d+)?)\/[a-z0-9]+(?:[._\/-][a-z0-9]+)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
/** Any reference (Docker Hub short names too), accepted only under keys that name an image. */
const ANY_IMAGE = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::\d+)?\/)?[a-z0-9]+(?:[._\/-][a-z0-9]+)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

const hasTagOrDigest = (ref: string): boolean => {
  const { tag, digest } = parseImage(ref);
  return tag !== '' || digest !== '';
};

function imageInString(value: string, key: string): string[] {
  const candidates = [value, ...value.split(/[\s,;]+/).map((part) => part.replace(/^-{0,2}[\w.-]+=/, ''))];
  const underImageKey = /image$/i.test(key);
  return [...new Set(candidates.map((c) => c.trim().replace(/^["']|["']$/g, '')))].filter((c) => hasTagOrDigest(c) && (HOSTED_IMAGE.test(c) || (underImageKey && ANY_IMAGE.test(c))));
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A component switched off in an operator's configuration starts nothing. */
const disabled = (v: Record<string, unknown>): boolean => v.enabled === false || v.enabled === 'false';

/**
 * GPU Operator operands that run only on nodes set up for VMs (sandbox workloads: KubeVirt or Kata),
 * whatever their own `enabled` says: off unless ClusterPolicy `spec.sandboxWorkloads.enabled`.
 */
const SANDBOX_OPERANDS = ['sandboxDevicePlugin', 'kataSandboxDevicePlugin', 'vfioManager', 'vgpuDeviceManager', 'vgpuManager', 'kataManager', 'ccManager'];

/** The ClusterPolicy spec without the operands its configuration does not start. */
function runningOperands(obj: Record<string, unknown>): unknown {
  if (obj.kind !== 'ClusterPolicy' || !isRecord(obj.spec)) return obj;
  const spec = obj.spec;
  if (isRecord(spec.sandboxWorkloads) && spec.sandboxWorkloads.enabled === true) return obj;
  return { ...obj, spec: Object.fromEntries(Object.entries(spec).filter(([k]) => !SANDBOX_OPERANDS.includes(k))) };
}

/** `{repository, image, version}` (GPU Operator) or `{repository, tag}` / `x.repository` + `x.tag` (Trivy) composed into one reference. */
function composed(v: Record<string, unknown>): string[] {
  const out: string[] = [];
  const str = (k: string): string | undefined => (typeof v[k] === 'string' && v[k] !== '' ? (v[k] as string) : undefined);
  const [repository, image, version] = [str('repository'), str('image'), str('version')];
  if (repository !== undefined && image !== undefined && version !== undefined && !image.includes(':')) out.push(`${repository}/${image}${version.startsWith('sha256:') ? '@' : ':'}${version}`);
  for (const key of Object.keys(v)) {
    const m = /^(.*?)(\.?)repository$/i.exec(key);
    if (m === null) continue;
    const prefix = `${m[1]}${m[2]}`;
    const [repo, tag, registry] = [str(key), str(`${prefix}tag`), str(`${prefix}registry`)];
    if (repo !== undefined && tag !== undefined) out.push(`${registry !== undefined ? `${registry}/` : ''}${repo}:${tag}`);
  }
  return out.filter((ref) => ANY_IMAGE.test(ref));
}

function collectOperandImages(value: unknown, keys: readonly string[], found: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectOperandImages(v, keys, found);
    return;
  }
  if (typeof value === 'string') {
    const key = keys[keys.length - 1] ?? '';
    const trimmed = value.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        collectOperandImages(JSON.parse(trimmed) as unknown, keys, found);
        return;
      } catch {
        // Not JSON: scan it as text.
      }
    }
    for (const image of imageInString(value, key)) found.add(image);
    return;
  }
  if (!isRecord(value) || disabled(value)) return;
  for (const image of composed(value)) found.add(image);
  for (const [k, v] of Object.entries(value)) collectOperandImages(v, [...keys, k], found);
}

/** Tags that move: an image list with one of these is not reproducible. */
export function floatingTag(ref: string): string | undefined {
  const { tag, digest } = parseImage(ref);
  if (digest !== '') return undefined;
  if (tag === '') return 'no tag (means latest)';
  const t = tag.slice(1);
  if (/^(latest|main|master|nightly|edge|dev|stable)$/i.test(t) || /-(dev|snapshot|nightly)$/i.test(t)) return `floating tag ${t}`;
  return undefined;
}
