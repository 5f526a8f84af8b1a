/**
 * Applies built Kubeflow installs to a real control plane the way Flux's kustomize-controller does:
 * Kustomization by Kustomization in dependency order, each one's CRDs and Namespaces first (and
 * the CRDs Established), then the rest, server-side. Webhook configurations and APIServices are
 * applied with --dry-run=server: validated and admitted by the real API server, but not registered,
 * so a webhook whose service does not run on this control plane cannot refuse later requests.
 * The platform's cert-manager add-on provides cert-manager's CRDs; here they come from the shared
 * CRD set at the version the catalog pins.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toYaml, ManifestObject } from '../../../stacks/manifests';
import { kubeflowManifestsDir } from '../../../stacks/upstream/kubeflow-build';
import { ControlPlane, startControlPlane } from '../../cluster/control-plane';
import { repoRoot } from '../../toolchain/go-build';
import { BuiltKustomization, KubeflowInstall } from './install';

const FIELD_MANAGER = 'hml-kubeflow-test';
const DRY_RUN_KINDS = new Set(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'APIService']);
const FIRST_KINDS = new Set(['CustomResourceDefinition', 'Namespace']);

export interface ApplyFigures {
  readonly env: string;
  readonly objects: number;
  readonly accepted: number;
  readonly dryRun: number;
  readonly crds: number;
  readonly seconds: number;
  readonly perKustomization: readonly { readonly name: string; readonly objects: number; readonly accepted: number }[];
  readonly errors: readonly string[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** CRDs the platform's add-ons provide to the Kubeflow parts (cert-manager: Certificates, Issuers). */
export function addonCrdsFile(): string {
  return path.join(path.dirname(kubeflowManifestsDir(repoRoot())), 'crds', 'cert-manager.yaml');
}

interface Applied {
  readonly names: string[];
  readonly errors: string[];
}

/** Server-side apply of objects; retries while kubectl's discovery has not caught up with new CRDs. */
async function apply(cp: ControlPlane, dir: string, label: string, objects: readonly ManifestObject[], dryRun: boolean): Promise<Applied> {
  if (objects.length === 0) return { names: [], errors: [] };
  const file = path.join(dir, `${label}.yaml`);
  fs.writeFileSync(file, toYaml(objects));
  // --force-conflicts as Flux applies (its SSA manager forces ownership): the aggregated ClusterRoles'
  // rules belong to the clusterrole-aggregation-controller after the first apply.
  const args = ['apply', '--server-side', '--force-conflicts', `--field-manager=${FIELD_MANAGER}`, '-o', 'name', ...(dryRun ? ['--dry-run=server'] : []), '-f', file];
  for (let attempt = 1; ; attempt++) {
    const res = await cp.kubectl(args);
    const errors = res.stderr.split('\n').filter((l) => l.trim() !== '' && !/^Warning:/.test(l));
    const stale = errors.some((e) => /no matches for kind|ensure CRDs are installed first|the server could not find the requested resource/.test(e));
    if (res.code === 0 || !stale || attempt >= 10) return { names: res.stdout.split('\n').filter((l) => l.trim() !== ''), errors: res.code === 0 ? [] : errors };
    await sleep(1000);
  }
}

/** Waits for the CRDs' Established condition (kubectl wait fails outright while a new CRD has no conditions yet). */
async function waitEstablished(cp: ControlPlane, crds: readonly ManifestObject[]): Promise<string[]> {
  if (crds.length === 0) return [];
  let last = '';
  for (let attempt = 0; attempt < 60; attempt++) {
    const res = await cp.kubectl(['wait', '--for=condition=Established', '--timeout=30s', ...crds.map((c) => `crd/${c.metadata.name}`)]);
    if (res.code === 0) return [];
    last = res.stderr.trim();
    await sleep(500);
  }
  return [`CRDs not Established: ${last}`];
}

async function applyKustomization(cp: ControlPlane, dir: string, k: BuiltKustomization): Promise<{ accepted: number; dryRun: number; crds: number; errors: string[] }> {
  const first = k.objects.filter((o) => FIRST_KINDS.has(o.kind));
  const dry = k.objects.filter((o) => DRY_RUN_KINDS.has(o.kind));
  const rest = k.objects.filter((o) => !FIRST_KINDS.has(o.kind) && !DRY_RUN_KINDS.has(o.kind));
  const name = k.flux.metadata.name;
  const a = await apply(cp, dir, `${name}-0-crds-namespaces`, first, false);
  const crds = first.filter((o) => o.kind === 'CustomResourceDefinition');
  const established = await waitEstablished(cp, crds);
  const b = await apply(cp, dir, `${name}-1-objects`, rest, false);
  const c = await apply(cp, dir, `${name}-2-webhooks-dry-run`, dry, true);
  const errors = [...a.errors, ...established, ...b.errors, ...c.errors].map((e) => `${name}: ${e}`);
  return { accepted: a.names.length + b.names.length + c.names.length, dryRun: c.names.length, crds: crds.length, errors };
}

/** One control plane for all installs, applied one after the other (the same objects, other image names). */
export async function applyInstall(installs: readonly KubeflowInstall[], report: (f: ApplyFigures) => void): Promise<void> {
  const cp = await startControlPlane({ log: () => undefined });
  try {
    const dir = path.join(cp.dir, 'kubeflow');
    fs.mkdirSync(dir, { recursive: true });
    const addonCrds = await cp.kubectl(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-o', 'name', '-f', addonCrdsFile()]);
    if (addonCrds.code !== 0) throw new Error(`cert-manager CRDs: ${addonCrds.stderr}`);
    const notEstablished = await waitEstablished(cp, addonCrds.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: l.replace(/^.*\//, '') } })));
    if (notEstablished.length > 0) throw new Error(`cert-manager ${notEstablished.join('; ')}`);
    for (const install of installs) {
      const t = Date.now();
      const perKustomization: { name: string; objects: number; accepted: number }[] = [];
      const errors: string[] = [];
      let [accepted, dryRun, crds] = [0, 0, 0];
      const envDir = path.join(dir, install.env);
      fs.mkdirSync(envDir, { recursive: true });
      for (const k of install.kustomizations) {
        const r = await applyKustomization(cp, envDir, k);
        perKustomization.push({ name: k.flux.metadata.name, objects: k.objects.length, accepted: r.accepted });
        errors.push(...r.errors);
        accepted += r.accepted;
        dryRun += r.dryRun;
        crds += r.crds;
      }
      const objects = install.kustomizations.reduce((n, k) => n + k.objects.length, 0);
      report({ env: install.env, objects, accepted, dryRun, crds, seconds: Math.round((Date.now() - t) / 100) / 10, perKustomization, errors });
    }
  } finally {
    await cp.stop();
  }
}
