import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { loadEnvironment, PlatformSpec } from '../../environments';
import { AddonInstallMode, defaultCrdDirectory, loadCrds, parseAddonInstallMode, parseRealCharts, planCrds } from './addon-install';
import { ClusterPlatform } from './cluster-platform';
import { gatewayApiCrdsSource } from './gateway-api-crds';
import { planEnvironment } from './deployment-plan';
import { KubeflowOptions, withKubeflow } from './kubeflow-install';

/** How the program reaches a cluster: a kubeconfig (a Pulumi secret) or a context of the default one. */
export interface ClusterConnection {
  readonly kubeconfig?: pulumi.Input<string>;
  readonly context?: string;
}

/** Stack settings: `environment` (default: the stack name) and per cluster `kubeconfig-<cluster>` / `context-<cluster>`. */
export function connectionsFromConfig(config: pulumi.Config, clusters: readonly string[]): Record<string, ClusterConnection> {
  return Object.fromEntries(clusters.map((c) => [c, { kubeconfig: config.getSecret(`kubeconfig-${c}`), context: config.get(`context-${c}`) }]));
}

/** How add-ons are installed (stack settings `addonInstall`, `crdDirectory`, `realCharts`, `chartDirectory`; see addon-install.ts). */
export interface AddonInstallOptions {
  readonly mode: AddonInstallMode;
  /** crds-only: where the CRD manifests are. @default the repository's test/fixtures/crds/ */
  readonly crdDirectory?: string;
  /** crds-only: add-ons that install their real chart all the same. @default none */
  readonly realCharts?: readonly string[];
  /** A Helm chart repository on disk (index.yaml + archives) to install the real charts from. @default the chart mirror or upstream */
  readonly chartDirectory?: string;
  /** Path or URL of the Gateway API CRD manifest (stack setting `gatewayApiCrds`). @default the pinned release's standard-install.yaml */
  readonly gatewayApiCrds?: string;
}

export function addonInstallFromConfig(config: pulumi.Config): AddonInstallOptions {
  const realCharts = parseRealCharts(config.get('realCharts'));
  // Checked now, so a bad setting fails before anything is applied.
  const gatewayApiCrds = gatewayApiCrdsSource(config.get('gatewayApiCrds'));
  return { mode: parseAddonInstallMode(config.get('addonInstall')), crdDirectory: config.get('crdDirectory'), realCharts, chartDirectory: config.get('chartDirectory'), gatewayApiCrds };
}

/** Deploys every cluster of an environment (a shipped one by name, or a validated spec), one Provider per cluster. */
export function deployEnvironment(
  environment: string | PlatformSpec,
  connections: Readonly<Record<string, ClusterConnection>>,
  addonInstall: AddonInstallOptions = { mode: 'helm' },
  kubeflowOptions: KubeflowOptions = {},
): ClusterPlatform[] {
  const spec = typeof environment === 'string' ? loadEnvironment(environment) : environment;
  const crds = addonInstall.mode === 'crds-only' ? loadCrds(addonInstall.crdDirectory ?? defaultCrdDirectory()) : [];
  return planEnvironment(spec).map((planned) => {
    // Kubeflow's kustomize parts are built now (kubeflow-install.ts); `plan` is the rest, unchanged but for shared objects.
    const { plan, kubeflow } = withKubeflow(planned, kubeflowOptions);
    const name = plan.cluster.name;
    const connection = connections[name] ?? {};
    const provider = new k8s.Provider(name, {
      kubeconfig: connection.kubeconfig,
      context: connection.context,
      // Server-side apply, so the objects Flux or kubectl applied are adopted rather than fought over.
      enableServerSideApply: true,
    });
    return new ClusterPlatform(name, {
      plan,
      provider,
      crdsOnly: addonInstall.mode === 'crds-only' ? planCrds(plan, crds) : undefined,
      realCharts: new Set(addonInstall.realCharts ?? []),
      chartDirectory: addonInstall.chartDirectory,
      gatewayApiCrds: addonInstall.gatewayApiCrds,
      kubeflow,
    });
  });
}
