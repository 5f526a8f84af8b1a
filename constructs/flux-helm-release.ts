import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AddonDefinition, GITOPS } from './catalog';
import { LABEL, PART_OF } from './labels';

export interface FluxHelmReleaseProps {
  /** The catalog entry to deliver. */
  readonly addon: AddonDefinition;
  /** Values for this cluster (catalog defaults already merged in). */
  readonly values: Readonly<Record<string, unknown>>;
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
    const isOci = addon.chart.repository.startsWith('oci://');

    new ApiObject(this, 'repository', {
      apiVersion: GITOPS.sourceApiVersion,
      kind: 'HelmRepository',
      metadata: { name: addon.id, namespace: GITOPS.namespace, labels },
      spec: { url: addon.chart.repository, interval: GITOPS.interval, ...(isOci ? { type: 'oci' } : {}) },
    });

    new ApiObject(this, 'release', {
      apiVersion: GITOPS.helmApiVersion,
      kind: 'HelmRelease',
      metadata: { name: addon.id, namespace: GITOPS.namespace, labels },
      spec: {
        interval: GITOPS.interval,
        releaseName: addon.id,
        targetNamespace: addon.namespace,
        chart: {
          spec: {
            chart: addon.chart.name,
            version: addon.chart.version,
            sourceRef: { kind: 'HelmRepository', name: addon.id },
            interval: GITOPS.interval,
          },
        },
        install: { crds: 'CreateReplace', createNamespace: false, remediation: { retries: 3 } },
        upgrade: { crds: 'CreateReplace', remediation: { retries: 3 } },
        ...(props.dependsOn !== undefined && props.dependsOn.length > 0 ? { dependsOn: props.dependsOn.map((name) => ({ name })) } : {}),
        values: props.values,
      },
    });
  }
}
