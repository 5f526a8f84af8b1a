import { KubeApi, mapConcurrent } from '../../cluster/api-client';
import { ManifestObject } from '../../../stacks/manifests';

/** What the API server said of one object. */
export interface Verdict {
  readonly key: string;
  readonly ok: boolean;
  readonly dryRun: boolean;
  readonly message?: string;
}

const FIELD_MANAGER = 'hml-real-charts-test';

/**
 * Kinds that would change how the test API server answers later requests if they were live (a
 * webhook or an aggregated API whose service does not run here): applied with dryRun=All, so the
 * API server still validates them in full.
 */
const DRY_RUN_KINDS = new Set(['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'APIService', 'ValidatingAdmissionPolicyBinding']);

/** Apply order: what others reference first. */
const FIRST = ['Namespace', 'PriorityClass', 'ServiceAccount', 'ClusterRole', 'Role'];
const rank = (kind: string): number => (FIRST.includes(kind) ? FIRST.indexOf(kind) : FIRST.length);

export const keyOf = (o: ManifestObject): string => `${o.kind} ${o.metadata.namespace !== undefined ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

function errorMessage(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body;
  } catch {
    return body;
  }
}

/** The object with the release namespace filled in where the chart leaves it to Helm (`helm install -n`). */
async function placed(api: KubeApi, o: ManifestObject, namespace: string): Promise<ManifestObject> {
  const type = await api.resourceType(o.apiVersion, o.kind);
  if (!type.namespaced || o.metadata.namespace !== undefined) return o;
  return { ...o, metadata: { ...o.metadata, namespace } };
}

/** Server-side apply of every object (in reference order), live except DRY_RUN_KINDS; one verdict each. */
export async function applyRendered(api: KubeApi, objects: readonly ManifestObject[], namespace: string): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  const byRank = [...new Set(objects.map((o) => rank(o.kind)))].sort((a, b) => a - b);
  for (const r of byRank) {
    const batch = objects.filter((o) => rank(o.kind) === r);
    verdicts.push(
      ...(await mapConcurrent(batch, api.concurrency, async (raw): Promise<Verdict> => {
        const dryRun = DRY_RUN_KINDS.has(raw.kind);
        let o = raw;
        try {
          o = await placed(api, raw, namespace);
          const query = `?fieldManager=${FIELD_MANAGER}&force=true${dryRun ? '&dryRun=All' : ''}`;
          const res = await api.request('PATCH', `${await api.objectPath(o)}${query}`, JSON.stringify(o), 'application/apply-patch+yaml');
          return res.status >= 200 && res.status < 300 ? { key: keyOf(o), ok: true, dryRun } : { key: keyOf(o), ok: false, dryRun, message: `HTTP ${res.status}: ${errorMessage(res.body)}` };
        } catch (e) {
          return { key: keyOf(o), ok: false, dryRun, message: e instanceof Error ? e.message : String(e) };
        }
      })),
    );
  }
  return verdicts;
}

interface PodTemplate {
  readonly metadata?: { readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly spec: Record<string, unknown>;
}

/** The pod template of a workload object, if it has one. */
export function podTemplateOf(o: ManifestObject): PodTemplate | undefined {
  const spec = o.spec as { template?: PodTemplate; jobTemplate?: { spec?: { template?: PodTemplate } } } | undefined;
  if (o.kind === 'Pod') return { metadata: o.metadata, spec: o.spec as Record<string, unknown> };
  if (o.kind === 'CronJob') return spec?.jobTemplate?.spec?.template;
  if (['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job'].includes(o.kind)) return spec?.template;
  return undefined;
}

/** A StatefulSet's pods get one PVC volume per volumeClaimTemplate, as the StatefulSet controller adds them. */
function withClaimVolumes(o: ManifestObject, spec: Record<string, unknown>): Record<string, unknown> {
  const claims = (o.spec as { volumeClaimTemplates?: { metadata: { name: string } }[] } | undefined)?.volumeClaimTemplates ?? [];
  if (o.kind !== 'StatefulSet' || claims.length === 0) return spec;
  const volumes = [...((spec.volumes as unknown[] | undefined) ?? []), ...claims.map((c) => ({ name: c.metadata.name, persistentVolumeClaim: { claimName: `${c.metadata.name}-${o.metadata.name}-0` } }))];
  return { ...spec, volumes };
}

/**
 * Every pod template created as a Pod with dryRun=All in its namespace: Pod Security admission
 * (at the level of the namespace's enforce label) and the other admission plugins judge it as they
 * would the pods its controller creates.
 */
export async function admitPodTemplates(api: KubeApi, objects: readonly ManifestObject[], namespace: string): Promise<Verdict[]> {
  const workloads = objects.filter((o) => podTemplateOf(o) !== undefined);
  return mapConcurrent(workloads, api.concurrency, async (o): Promise<Verdict> => {
    const template = podTemplateOf(o) as PodTemplate;
    const ns = o.metadata.namespace ?? namespace;
    const key = `${o.kind} ${ns}/${o.metadata.name}`;
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${o.kind.toLowerCase()}-${o.metadata.name}`.slice(0, 63).replace(/-+$/, ''), namespace: ns, labels: template.metadata?.labels ?? {} }, spec: withClaimVolumes(o, template.spec) };
    const res = await api.request('POST', `/api/v1/namespaces/${ns}/pods?dryRun=All`, JSON.stringify(pod));
    return res.status === 201 || res.status === 200 ? { key, ok: true, dryRun: true } : { key, ok: false, dryRun: true, message: `HTTP ${res.status}: ${errorMessage(res.body)}` };
  });
}
