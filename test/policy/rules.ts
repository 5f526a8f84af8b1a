import { ManifestObject } from '../../stacks/manifests';
import { clusterRoleName } from '../../constructs/access/least-privilege-rbac';
import { LABEL } from '../../constructs/labels';

/**
 * Policies every synthesized environment must satisfy. Each returns violations as readable
 * strings (empty = compliant), so a failing test says what and where.
 */

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const id = (o: ManifestObject): string => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

/** Namespaces that hold team workloads. */
export const workloadNamespaces = (objs: readonly ManifestObject[]): ManifestObject[] =>
  objs.filter((o) => o.kind === 'Namespace' && o.metadata.labels?.[LABEL.team] !== undefined);

export function restrictedPodSecurity(objs: readonly ManifestObject[]): string[] {
  const out: string[] = [];
  for (const ns of workloadNamespaces(objs)) {
    for (const mode of ['enforce', 'audit', 'warn']) {
      if (ns.metadata.labels?.[`pod-security.kubernetes.io/${mode}`] !== 'restricted') out.push(`${id(ns)}: ${mode} is not restricted`);
      if (!/^v1\.\d+$/.test(ns.metadata.labels?.[`pod-security.kubernetes.io/${mode}-version`] ?? '')) out.push(`${id(ns)}: ${mode}-version is not pinned`);
    }
  }
  return out;
}

export function namespaceGuardrails(objs: readonly ManifestObject[]): string[] {
  const out: string[] = [];
  for (const ns of workloadNamespaces(objs)) {
    const inNs = objs.filter((o) => o.metadata.namespace === ns.metadata.name);
    const quota = inNs.find((o) => o.kind === 'ResourceQuota');
    const hard = isObj(quota?.spec) && isObj((quota?.spec as Json).hard) ? ((quota?.spec as Json).hard as Json) : undefined;
    if (hard === undefined) out.push(`${id(ns)}: no ResourceQuota`);
    else if (hard['requests.nvidia.com/gpu'] === undefined) out.push(`${id(ns)}: ResourceQuota has no requests.nvidia.com/gpu line`);
    if (!inNs.some((o) => o.kind === 'LimitRange')) out.push(`${id(ns)}: no LimitRange`);
    const denyAll = inNs.some((o) => {
      const spec = o.spec as Json | undefined;
      return (
        o.kind === 'NetworkPolicy' &&
        isObj(spec) &&
        isObj(spec.podSelector) &&
        Object.keys(spec.podSelector).length === 0 &&
        JSON.stringify(spec.policyTypes) === JSON.stringify(['Ingress', 'Egress']) &&
        spec.ingress === undefined &&
        spec.egress === undefined
      );
    });
    if (!denyAll) out.push(`${id(ns)}: no default-deny NetworkPolicy for ingress and egress`);
  }
  return out;
}

/** `*` in apiGroups, resources, verbs or nonResourceURLs is only for the platform-admin ClusterRole. */
export function noWildcardRbac(objs: readonly ManifestObject[]): string[] {
  const out: string[] = [];
  for (const o of objs) {
    if (o.kind !== 'Role' && o.kind !== 'ClusterRole') continue;
    if (o.kind === 'ClusterRole' && o.metadata.name === clusterRoleName('platform-admin')) continue;
    for (const rule of (o.rules as Json[] | undefined) ?? []) {
      for (const field of ['apiGroups', 'resources', 'verbs', 'nonResourceURLs']) {
        if (((rule[field] as string[] | undefined) ?? []).includes('*')) out.push(`${id(o)}: wildcard in ${field}`);
      }
    }
  }
  return out;
}

/** Walks an object and yields every pod spec (anything holding a `containers` array). */
export function podSpecs(value: unknown, at = ''): { at: string; spec: Json }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => podSpecs(v, `${at}[${i}]`));
  if (!isObj(value)) return [];
  const here = Array.isArray(value.containers) ? [{ at, spec: value }] : [];
  return [...here, ...Object.entries(value).flatMap(([k, v]) => podSpecs(v, `${at}.${k}`))];
}

const containersOf = (spec: Json): Json[] =>
  ['initContainers', 'containers', 'ephemeralContainers'].flatMap((k) => ((spec[k] as Json[] | undefined) ?? []).filter(isObj));

/** An image is pinned when it has a tag other than latest, or a digest. */
export function imageIsPinned(image: string): boolean {
  if (image.includes('@sha256:')) return true;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : '';
  return tag !== '' && tag !== 'latest';
}

export function pinnedImages(objs: readonly ManifestObject[]): string[] {
  return objs.flatMap((o) =>
    podSpecs(o).flatMap(({ at, spec }) =>
      containersOf(spec)
        .filter((c) => typeof c.image !== 'string' || !imageIsPinned(c.image))
        .map((c) => `${id(o)}${at}: container ${String(c.name)} image ${String(c.image)} is untagged or latest`),
    ),
  );
}

/** Requests, limits and a restricted securityContext on every container of every pod template. */
export function hardenedPods(objs: readonly ManifestObject[]): string[] {
  const out: string[] = [];
  for (const o of objs) {
    for (const { at, spec } of podSpecs(o)) {
      const podSc = isObj(spec.securityContext) ? spec.securityContext : {};
      for (const c of containersOf(spec)) {
        const where = `${id(o)}${at}: container ${String(c.name)}`;
        const res = isObj(c.resources) ? c.resources : {};
        for (const kind of ['requests', 'limits']) {
          const r = isObj(res[kind]) ? (res[kind] as Json) : {};
          if (r.cpu === undefined || r.memory === undefined) out.push(`${where}: no cpu/memory ${kind}`);
        }
        const sc = isObj(c.securityContext) ? c.securityContext : {};
        if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) out.push(`${where}: runAsNonRoot is not true`);
        if (sc.allowPrivilegeEscalation !== false) out.push(`${where}: allowPrivilegeEscalation is not false`);
        if (sc.privileged === true) out.push(`${where}: privileged`);
        const drop = isObj(sc.capabilities) ? ((sc.capabilities.drop as string[] | undefined) ?? []) : [];
        if (!drop.includes('ALL')) out.push(`${where}: capabilities do not drop ALL`);
        const seccomp = (isObj(sc.seccompProfile) ? sc.seccompProfile.type : undefined) ?? (isObj(podSc.seccompProfile) ? podSc.seccompProfile.type : undefined);
        if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push(`${where}: no RuntimeDefault seccomp profile`);
      }
    }
  }
  return out;
}

export function noInlineSecrets(objs: readonly ManifestObject[]): string[] {
  return objs
    .filter((o) => o.kind === 'Secret' && (o.data !== undefined || o.stringData !== undefined))
    .map((o) => `${id(o)}: carries inline data; reference an existing Secret or a Pulumi secret instead`);
}

/** Every namespaced object of a team namespace carries team, stage and cost-center labels. */
export function costLabels(objs: readonly ManifestObject[]): string[] {
  const teamNamespaces = new Set(workloadNamespaces(objs).map((n) => n.metadata.name));
  return objs
    .filter((o) => (o.metadata.namespace !== undefined && teamNamespaces.has(o.metadata.namespace)) || (o.kind === 'Namespace' && teamNamespaces.has(o.metadata.name)))
    .filter((o) => [LABEL.team, LABEL.stage, LABEL.costCenter].some((l) => o.metadata.labels?.[l] === undefined))
    .map((o) => `${id(o)}: missing team/stage/cost-center label`);
}

/** Every namespaced object goes to a namespace the output creates (or kube-system): nothing is refused for a missing namespace. */
export function namespacesExist(objs: readonly ManifestObject[]): string[] {
  const created = new Set(['kube-system', ...objs.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)]);
  return objs.filter((o) => o.metadata.namespace !== undefined && !created.has(o.metadata.namespace)).map((o) => `${id(o)}: namespace ${o.metadata.namespace} is not in the output`);
}

export const ALL_POLICIES = { restrictedPodSecurity, namespaceGuardrails, noWildcardRbac, pinnedImages, hardenedPods, noInlineSecrets, costLabels, namespacesExist } as const;
