/**
 * The real Kueue manager (built from sigs.k8s.io/kueue/cmd/kueue, test/tools/build.ts) as a process
 * against a test control plane, installed from the chart as the platform renders it:
 *
 * - the chart's CRDs, RBAC, ConfigMap, Secret and Services are applied as rendered; the Deployment,
 *   the PodDisruptionBudget and the visibility APIServices are not (the process stands in for the
 *   pod, see LOOPBACK_FIELDS for the visibility server);
 * - the chart's own webhook configurations and the CRDs' conversion webhooks are applied with their
 *   `service` clientConfig rewritten to a `url` on 127.0.0.1 (what controller-runtime's envtest
 *   does); Kueue's own certificate management injects the CA into them, as in a cluster;
 * - the process reads the ConfigMap's controller_manager_config.yaml with only LOOPBACK_FIELDS
 *   changed, runs as the chart's ServiceAccount (a token for it), with the Deployment's own flags.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { ManifestObject } from '../../../stacks/manifests';
import { KubeApi } from '../../cluster/api-client';
import { ControlPlane } from '../../cluster/control-plane';
import { poll } from '../../cluster/platform-helpers';
import { freePorts, ManagedProcess, tail } from '../../cluster/process';
import { applyRendered, Verdict } from '../charts/admission';
import { issueWebhookCerts } from './webhook-certs';

/**
 * The only fields of the platform's manager Configuration the loopback process changes, and why.
 * Anything else differing fails the suite (see configDifferences).
 */
export const LOOPBACK_FIELDS: Readonly<Record<string, string>> = {
  'health.healthProbeBindAddress': 'address: a free loopback port instead of :8081 (several processes share the host)',
  'metrics.bindAddress': 'address: a free loopback port instead of :8443',
  'webhook.host': 'address: 127.0.0.1, where the rewritten webhook configurations point',
  'webhook.port': 'address: a free loopback port instead of 9443',
  'webhook.certDir': 'certificate directory: where the harness puts the Secret the kubelet would mount',
  'leaderElection.leaderElect': 'no leader election: one process per control plane',
  'featureGates.VisibilityOnDemand':
    'certificate directory: the visibility API server keeps its certificates in /visibility (hard-coded, an emptyDir in the chart); off, and its APIServices not applied',
};

export interface KueueProcess {
  readonly process: ManagedProcess;
  /** The Configuration the process reads. */
  readonly config: Record<string, unknown>;
  /** The Configuration the chart's ConfigMap holds. */
  readonly chartConfig: Record<string, unknown>;
  /** Verdicts of the chart objects applied. */
  readonly applied: readonly Verdict[];
  /** Kinds/names of the chart objects not applied, with the reason. */
  readonly skipped: readonly string[];
  readonly webhookUrl: string;
  readonly caCert: string;
  /** Seconds from spawn to /readyz and the CA injected. */
  readonly readySeconds: number;
  logTail(lines?: number): string;
}

const NOT_APPLIED: Readonly<Record<string, string>> = {
  Deployment: 'the process stands in for the pod',
  PodDisruptionBudget: 'no pod',
  APIService: 'visibility server off (LOOPBACK_FIELDS)',
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Leaf paths (a.b.c) whose values differ between two parsed YAML documents. */
export function configDifferences(a: unknown, b: unknown, prefix = ''): string[] {
  if ((isObj(a) || a === undefined) && (isObj(b) || b === undefined) && (isObj(a) || isObj(b))) {
    const [x, y] = [a ?? {}, b ?? {}] as [Obj, Obj];
    const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
    return keys.flatMap((k) => configDifferences(x[k], y[k], prefix === '' ? k : `${prefix}.${k}`));
  }
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => configDifferences(a[k], b[k], prefix === '' ? k : `${prefix}.${k}`));
  }
  // Helm's toYaml re-emits the chart's configuration with sorted keys: compare list entries as data, not text.
  return canonicalJson(a) === canonicalJson(b) ? [] : [prefix];
}

/** JSON with every object's keys sorted, so two equal values give one text whatever their key order. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

/** Seconds of a Go duration as Kueue's Configuration writes them ("10m", "1m30s", "90s"). */
export function goDurationSeconds(d: string): number {
  const parts = [...d.matchAll(/(\d+(?:\.\d+)?)(h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== d) throw new Error(`not a Go duration of hours, minutes and seconds: "${d}"`);
  return parts.reduce((n, [, v, unit]) => n + Number(v) * (unit === 'h' ? 3600 : unit === 'm' ? 60 : 1), 0);
}

function setPath(target: Obj, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let at = target;
  for (const k of keys.slice(0, -1)) {
    const next = at[k];
    if (!isObj(next)) at[k] = {};
    at = at[k] as Obj;
  }
  at[keys[keys.length - 1]] = value;
}

/** The chart's webhook configuration with every clientConfig pointing at `base` (no caBundle: Kueue injects it). */
export function toUrlClientConfig(o: ManifestObject, base: string): ManifestObject {
  const webhooks = (o as unknown as { webhooks: { clientConfig: { service?: { path?: string } } }[] }).webhooks;
  return { ...o, webhooks: webhooks.map((w) => ({ ...w, clientConfig: { url: `${base}${w.clientConfig.service?.path ?? '/'}` } })) } as unknown as ManifestObject;
}

/** A CRD whose conversion webhook points at `base` instead of the webhook Service. */
function crdToUrl(o: ManifestObject, base: string): ManifestObject {
  const spec = (o as unknown as { spec: { conversion?: { strategy?: string; webhook?: { clientConfig?: { service?: { path?: string } }; conversionReviewVersions?: string[] } } } }).spec;
  const conv = spec.conversion;
  if (conv?.strategy !== 'Webhook' || conv.webhook === undefined) return o;
  return { ...o, spec: { ...spec, conversion: { ...conv, webhook: { ...conv.webhook, clientConfig: { url: `${base}${conv.webhook.clientConfig?.service?.path ?? '/convert'}` } } } } } as unknown as ManifestObject;
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

interface Container {
  readonly args?: readonly string[];
}

export interface StartKueueOptions {
  readonly binary: string;
  readonly namespace: string;
  /** The chart rendered with the platform's values (renderRelease). */
  readonly objects: readonly ManifestObject[];
  /** Component name in the control plane (logs/<name>.log). @default kueue */
  readonly name?: string;
}

/** Installs the chart's objects and starts the Kueue process; resolves once it is ready and the CA is injected. */
export async function startKueue(cp: ControlPlane, api: KubeApi, opts: StartKueueOptions): Promise<KueueProcess> {
  const name = opts.name ?? 'kueue';
  const ns = opts.namespace;
  const dir = path.join(cp.dir, name);
  fs.mkdirSync(dir, { recursive: true });
  const [healthPort, metricsPort, webhookPort] = await freePorts(3);
  const webhookUrl = `https://127.0.0.1:${webhookPort}`;

  const configMap = opts.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-manager-config'));
  const configText = (configMap as unknown as { data?: Record<string, string> } | undefined)?.data?.['controller_manager_config.yaml'];
  if (configText === undefined) throw new Error('the chart rendered no manager ConfigMap');
  const chartConfig = YAML.parse(configText) as Obj;
  const internal = chartConfig.internalCertManagement as { enable?: boolean; webhookServiceName?: string; webhookSecretName?: string } | undefined;
  if (internal?.enable !== true || internal.webhookServiceName === undefined || internal.webhookSecretName === undefined) {
    throw new Error(`the harness seeds Kueue's internal certificate Secret; the chart's configuration has internalCertManagement ${JSON.stringify(internal)}`);
  }

  const certs = await issueWebhookCerts(path.join(dir, 'serving-certs'), `${internal.webhookServiceName}.${ns}.svc`);
  const config = structuredClone(chartConfig);
  setPath(config, 'health.healthProbeBindAddress', `127.0.0.1:${healthPort}`);
  setPath(config, 'metrics.bindAddress', `127.0.0.1:${metricsPort}`);
  setPath(config, 'webhook.host', '127.0.0.1');
  setPath(config, 'webhook.port', webhookPort);
  setPath(config, 'webhook.certDir', certs.certDir);
  setPath(config, 'leaderElection.leaderElect', false);
  setPath(config, 'featureGates.VisibilityOnDemand', false);
  const configFile = path.join(dir, 'controller_manager_config.yaml');
  fs.writeFileSync(configFile, YAML.stringify(config));

  // The chart's objects, in dependency order: CRDs, then the rest; webhooks last (they would
  // refuse everything they match until the process serves them).
  const skipped = opts.objects.filter((o) => NOT_APPLIED[o.kind] !== undefined).map((o) => `${o.kind} ${o.metadata.name}: ${NOT_APPLIED[o.kind]}`);
  const crds = opts.objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => crdToUrl(o, webhookUrl));
  const webhooks = opts.objects.filter((o) => o.kind.endsWith('WebhookConfiguration')).map((o) => toUrlClientConfig(o, webhookUrl));
  const rest = opts.objects.filter((o) => o.kind !== 'CustomResourceDefinition' && !o.kind.endsWith('WebhookConfiguration') && NOT_APPLIED[o.kind] === undefined);
  const applied: Verdict[] = [];
  applied.push(...(await applyLive(api, crds, ns)));
  for (const c of crds) {
    await poll(`CRD ${c.metadata.name} Established`, async () => {
      const got = await api.json<{ status?: { conditions?: { type: string; status: string }[] } }>('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${c.metadata.name}`);
      return got.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True') === true ? true : undefined;
    }, 120000);
  }
  // The Secret as the rotator would find it after a previous run (the kubelet mounts it at certDir).
  const seeded = rest.map((o) =>
    o.kind === 'Secret' && o.metadata.name === internal.webhookSecretName
      ? ({ ...o, data: { 'ca.crt': b64(certs.caCert), 'ca.key': b64(certs.caKey), 'tls.crt': b64(certs.tlsCert), 'tls.key': b64(certs.tlsKey) } } as unknown as ManifestObject)
      : o,
  );
  applied.push(...(await applyLive(api, seeded, ns)));
  applied.push(...(await applyLive(api, webhooks, ns)));
  const refused = applied.filter((v) => !v.ok);
  if (refused.length > 0) throw new Error(`chart objects refused:\n${refused.map((v) => `${v.key}: ${v.message ?? ''}`).join('\n')}`);

  // The chart's ServiceAccount: RBAC problems in the chart show up as Kueue errors.
  const deployment = opts.objects.find((o) => o.kind === 'Deployment');
  const podSpec = (deployment as unknown as { spec?: { template?: { spec?: { serviceAccountName?: string; containers?: Container[] } } } } | undefined)?.spec?.template?.spec;
  const serviceAccount = podSpec?.serviceAccountName ?? `${name}-controller-manager`;
  const token = await api.json<{ status: { token: string } }>('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${serviceAccount}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 24 * 3600 },
  });
  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server: cp.server, 'certificate-authority-data': fs.readFileSync(cp.pki.ca.cert).toString('base64') } }],
      users: [{ name: serviceAccount, user: { token: token.status.token } }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: serviceAccount, namespace: ns } }],
      'current-context': 'test',
    }),
    { mode: 0o600 },
  );

  // The Deployment's own flags, with the config file at its loopback path.
  const chartArgs = podSpec?.containers?.[0]?.args ?? [];
  const args = [...chartArgs.map((a) => (a.startsWith('--config=') ? `--config=${configFile}` : a)), `--kubeconfig=${kubeconfig}`];
  const started = Date.now();
  const proc = cp.addComponent(name, opts.binary, args);
  const dead = (): void => {
    if (!proc.isRunning()) throw new Error(`${name} exited:\n${tail(proc.logPath, 40)}`);
  };
  await poll(`${name} /readyz`, async () => {
    dead();
    return (await httpStatus(`http://127.0.0.1:${healthPort}/readyz`)) === 200 ? true : undefined;
  }, 300000, 500);
  // Kueue's rotator injects its CA (ours) into every webhook of the two configurations.
  await poll(`${name} CA injected into the webhook configurations`, async () => {
    dead();
    for (const w of webhooks) {
      const live = await api.json<{ webhooks: { clientConfig: { caBundle?: string } }[] }>('GET', await api.objectPath(w));
      if (!live.webhooks.every((x) => x.clientConfig.caBundle === b64(certs.caCert))) return undefined;
    }
    return true;
  }, 120000, 500);
  return {
    process: proc,
    config,
    chartConfig,
    applied,
    skipped,
    webhookUrl,
    caCert: certs.caCert,
    readySeconds: (Date.now() - started) / 1000,
    logTail: (lines = 40) => tail(proc.logPath, lines),
  };
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** applyRendered without its dry-run of webhook configurations: these are meant to be live. */
async function applyLive(api: KubeApi, objects: readonly ManifestObject[], namespace: string): Promise<Verdict[]> {
  const webhooks = objects.filter((o) => o.kind.endsWith('WebhookConfiguration'));
  const others = objects.filter((o) => !o.kind.endsWith('WebhookConfiguration'));
  const verdicts = others.length > 0 ? await applyRendered(api, others, namespace) : [];
  for (const o of webhooks) {
    const res = await api.request('PATCH', `${await api.objectPath(o)}?fieldManager=hml-kueue-test&force=true`, JSON.stringify(o), 'application/apply-patch+yaml');
    verdicts.push({ key: `${o.kind} ${o.metadata.name}`, ok: res.status >= 200 && res.status < 300, dryRun: false, ...(res.status >= 300 ? { message: res.body.slice(0, 500) } : {}) });
  }
  return verdicts;
}
