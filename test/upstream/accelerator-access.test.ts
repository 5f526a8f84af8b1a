/**
 * Secure accelerator access in the real charts' output, rendered by helm with the platform's values
 * (prod's on-prem primary, where the GPU Operator owns driver and toolkit and a DRA pool exists):
 *   - the GPU Operator's ClusterPolicy tells the container toolkit to ignore NVIDIA_VISIBLE_DEVICES
 *     from unprivileged containers and hands devices over by CDI, so a container that asked for no
 *     GPU gets none (team namespaces also refuse the variable at admission: the cluster suite's
 *     test/cluster/workload-access.test.ts proves that on a real API server);
 *   - the DRA driver's kubelet plugin runs only on DRA nodes, and the chart's catch-all
 *     DeviceClasses are the ones team ResourceQuotas hold at 0; its objects are accepted by a real
 *     kube-apiserver and its pods admitted at the Pod Security level the catalog gives its namespace.
 * Run: `npm run test:upstream -- accelerator-access` (under a minute).
 */
import { addon } from '../../constructs/catalog';
import { DRIVER_DEVICE_CLASSES, GPU_ALLOCATION_LABEL } from '../../constructs/gpu/dra-allocation';
import { TOOLKIT_DEVICE_LIST_ENV } from '../../constructs/gpu/gpu-sharing-config';
import { loadEnvironment } from '../../environments';
import { ManifestObject } from '../../stacks/manifests';
import { RenderContext, renderRelease } from '../../stacks/upstream/addon-render';
import { defaultRenderContext } from '../../stacks/upstream/render-context';
import { renderEnvironment } from '../../stacks/manifests';
import { KubeApi } from '../cluster/api-client';
import { startControlPlane } from '../cluster/control-plane';
import { poll } from '../cluster/platform-helpers';
import { ensureTools } from '../tools/build';
import { admitPodTemplates, applyRendered, Verdict } from './charts/admission';

const spec = loadEnvironment('prod');
const cluster = spec.clusters.find((c) => c.provider === 'onprem') as (typeof spec.clusters)[number];
let ctx: RenderContext;

beforeAll(async () => {
  const tools = await ensureTools();
  process.env.HELM ??= tools.helm;
  ctx = defaultRenderContext();
  if (ctx.charts.kind !== 'directory') throw new Error('reads the charts from a repository on disk: ../shared/charts beside the clone, or HML_CHART_REPOSITORY=<directory>');
}, 30 * 60 * 1000);

const render = (id: string): readonly ManifestObject[] => renderRelease(ctx, spec, cluster, addon(id)).objects;

test('the ClusterPolicy makes the toolkit ignore NVIDIA_VISIBLE_DEVICES from unprivileged containers and use CDI', () => {
  const policy = render('gpu-operator').find((o) => o.kind === 'ClusterPolicy') as unknown as { spec: { toolkit: { enabled: boolean; env?: { name: string; value: string }[] }; cdi: { enabled: boolean } } } | undefined;
  expect(policy).toBeDefined();
  expect(policy?.spec.toolkit.enabled).toBe(true);
  expect(policy?.spec.toolkit.env).toEqual(expect.arrayContaining(TOOLKIT_DEVICE_LIST_ENV.map((e) => ({ ...e }))));
  expect(policy?.spec.toolkit.env?.find((e) => e.name === 'ACCEPT_NVIDIA_VISIBLE_DEVICES_ENVVAR_WHEN_UNPRIVILEGED')?.value).toBe('false');
  expect(policy?.spec.cdi.enabled).toBe(true);
});

test("the DRA driver's kubelet plugin runs only on DRA nodes; its catch-all DeviceClasses are the ones team quotas hold at 0", () => {
  const objects = render('dra-driver-nvidia-gpu');
  const plugin = objects.find((o) => o.kind === 'DaemonSet') as unknown as { spec: { template: { spec: { nodeSelector?: Record<string, string> } } } } | undefined;
  expect(plugin?.spec.template.spec.nodeSelector).toEqual({ [GPU_ALLOCATION_LABEL]: 'dra' });
  const classes = objects.filter((o) => o.kind === 'DeviceClass').map((o) => o.metadata.name).sort();
  expect(classes).toEqual([...DRIVER_DEVICE_CLASSES].sort());
  // Compute domains are off: no controller Deployment, no compute-domain classes.
  expect(objects.filter((o) => o.kind === 'Deployment')).toEqual([]);
});

test("the DRA driver chart's objects are accepted by a real API server and its pods admitted in the platform's namespace for it", async () => {
  const driver = addon('dra-driver-nvidia-gpu');
  const objects = render(driver.id);
  const cp = await startControlPlane({ log: () => undefined });
  const api = new KubeApi(cp);
  const failed = (vs: readonly Verdict[]): string[] => vs.filter((v) => !v.ok).map((v) => `${v.key}: ${v.message ?? ''}`);
  try {
    // The namespace as the platform renders it (Pod Security labels from the catalog).
    const platform = renderEnvironment(spec).find((c) => c.cluster.name === cluster.name);
    const ns = (platform?.files ?? []).flatMap((f) => f.objects).filter((o) => o.kind === 'Namespace' && o.metadata.name === driver.namespace);
    expect(ns.map((o) => o.metadata.labels?.['pod-security.kubernetes.io/enforce'])).toEqual([driver.namespaceSecurity.level]);
    expect(failed(await applyRendered(api, ns, 'default'))).toEqual([]);
    const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
    expect(failed(await applyRendered(api, crds, 'default'))).toEqual([]);
    for (const c of crds) {
      await poll(`CRD ${c.metadata.name} Established`, async () => {
        const got = await api.json<{ status?: { conditions?: { type: string; status: string }[] } }>('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${c.metadata.name}`);
        return got.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True') === true ? true : undefined;
      }, 120000);
    }
    const applied = await applyRendered(api, objects.filter((o) => o.kind !== 'CustomResourceDefinition'), driver.namespace);
    expect(failed(applied)).toEqual([]);
    const admitted = await admitPodTemplates(api, objects, driver.namespace);
    expect(admitted.length).toBeGreaterThan(0);
    expect(failed(admitted)).toEqual([]);
    process.stdout.write(`\nDRA driver chart on a real API server: ${crds.length + applied.length} objects accepted, ${admitted.length} pod template(s) admitted at ${driver.namespaceSecurity.level}\n`);
  } finally {
    api.close();
    await cp.stop();
  }
}, 10 * 60 * 1000);
