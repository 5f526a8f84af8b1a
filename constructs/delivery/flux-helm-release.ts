import { Construct } from 'constructs';
import { HelmRelease, HelmReleaseSpecChartSpecSourceRefKind, HelmReleaseSpecInstallCrds, HelmReleaseSpecUpgradeCrds } from '../../imports/helm.toolkit.fluxcd.io';
import { HelmRepository, HelmRepositorySpecType } from '../../imports/source.toolkit.fluxcd.io';
import { AddonDefinition, GITOPS } from '../catalog';
import { chartSource } from './chart-source';
import { LABEL, PART_OF } from '../labels';

export interface FluxHelmReleaseProps {
  /** The catalog entry to deliver. */
  readonly addon: AddonDefinition;
  /** Values for this cluster (catalog defaults already merged in). */
  readonly values: Readonly<Record<string, unknown>>;
  /** Helm repository or OCI prefix holding every pinned chart (images.chartMirror). @default the chart's upstream repository */
  readonly chartMirror?: string;
  /** Releases that must be ready first (catalog ids); only those also delivered here. @default none */
  readonly dependsOn?: readonly string[];
}

/**
 * GitOps delivery of one add-on: a Flux HelmRepository for its chart source and a HelmRelease
 * pinned to the catalog's chart version. CRDs are created and upgraded by Flux (CreateReplace), and
 * `dependsOn` orders releases the way the catalog says.
 */
export class FluxHelmRelease extends Construct {
  constructor(scope: Construct, id: string, props: FluxHelmReleaseProps) {
    super(scope, id);
    const { addon } = props;
    const labels = { [LABEL.partOf]: PART_OF, 'app.kubernetes.io/name': addon.id };
    const source = chartSource(addon.chart, props.chartMirror);
    // The catalog says why an add-on's hooks stay out (addon.hooks.reason).
    const noHooks = addon.hooks?.disabled === true ? { disableHooks: true } : {};

    new HelmRepository(this, 'repository', {
      metadata: { name: addon.id, namespace: GITOPS.namespace, labels },
      spec: { url: source.repository, interval: GITOPS.interval, ...(source.oci ? { type: HelmRepositorySpecType.OCI } : {}) },
    });

    new HelmRelease(this, 'release', {
      metadata: { name: addon.id, namespace: GITOPS.namespace, labels },
      spec: {
        interval: GITOPS.interval,
        releaseName: addon.id,
        targetNamespace: addon.namespace,
        chart: {
          spec: {
            chart: source.name,
            version: source.version,
            sourceRef: { kind: HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name: addon.id },
            interval: GITOPS.interval,
          },
        },
        install: { crds: HelmReleaseSpecInstallCrds.CREATE_REPLACE, createNamespace: false, remediation: { retries: 3 }, ...noHooks },
        upgrade: { crds: HelmReleaseSpecUpgradeCrds.CREATE_REPLACE, remediation: { retries: 3 }, ...noHooks },
        ...(addon.hooks?.disabled === true ? { rollback: noHooks, uninstall: noHooks } : {}),
        ...(props.dependsOn !== undefined && props.dependsOn.length > 0 ? { dependsOn: props.dependsOn.map((name) => ({ name })) } : {}),
        values: props.values,
      },
    });
  }
}
