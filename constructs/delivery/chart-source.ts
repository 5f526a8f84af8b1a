import { HelmChartRef } from '../catalog';

/** Where one chart is pulled from, as Flux's HelmRepository and Helm's `--repo` / `oci://` name it. */
export interface ChartSource {
  /** Repository URL (http(s)://...) or OCI prefix (oci://...). */
  readonly repository: string;
  readonly name: string;
  readonly version: string;
  /** Whether the repository is an OCI registry (Flux HelmRepository `type: oci`, Helm `oci://prefix/name`). */
  readonly oci: boolean;
}

/**
 * The source of a pinned chart: its upstream repository, or the spec's chart mirror (images.chartMirror),
 * which holds every chart under its upstream name and version, so air-gapped clusters pull nothing else.
 */
export function chartSource(chart: HelmChartRef, mirror?: string): ChartSource {
  const repository = mirror ?? chart.repository;
  return { repository, name: chart.name, version: chart.version, oci: repository.startsWith('oci://') };
}

/** The chart reference Helm takes on its command line or in a Pulumi Release: `oci://prefix/name`, or the name with a repository. */
export function helmChartArgs(source: ChartSource): { readonly chart: string; readonly repo?: string } {
  return source.oci ? { chart: `${source.repository}/${source.name}` } : { chart: source.name, repo: source.repository };
}
