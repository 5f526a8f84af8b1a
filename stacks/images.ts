import { endpointHost, mirrorImage } from '../constructs/supply-chain/image-mirror';
import { loadEnvironment, PlatformSpec } from '../environments';
import { renderEnvironment } from './manifests';
import { podSpecImages } from './pod-images';
import { RenderContext, renderClusterReleases } from './upstream/addon-render';
import { defaultRenderContext } from './upstream/render-context';
import { renderedImages } from './upstream/rendered-images';
import { buildKubeflowInstall } from './upstream/kubeflow-build';
import { kubeflowImages } from './upstream/kubeflow-images';
import { KUBEFLOW_MANIFESTS } from '../constructs/catalog';

/** One image an environment runs, where it comes from, and its name on the cluster's mirror. */
export interface ImageEntry {
  readonly cluster: string;
  readonly source: string;
  readonly image: string;
  readonly mirrored: string;
}

/**
 * Every container image an environment runs: the platform's own pod templates as synthesized, and
 * what each add-on chart renders with the platform's values (pod templates and the operand images
 * operators start from their configuration), and what the pinned Kubeflow manifests build to. Sorted and unique, so the list can drive a mirroring
 * job and diff cleanly between versions.
 */
export function environmentImages(spec: PlatformSpec, ctx: RenderContext): ImageEntry[] {
  // The list is of upstream names: render without the mirror rewrite, then map each to the mirror.
  const unmirrored = { ...spec, images: { ...spec.images, mirror: false } };
  const entries = new Map<string, ImageEntry>();
  for (const { cluster, files } of renderEnvironment(unmirrored)) {
    const mirrorHost = endpointHost(cluster.registry.endpoint);
    const add = (source: string, image: string) => entries.set(`${cluster.name}|${image}|${source}`, { cluster: cluster.name, source, image, mirrored: mirrorImage(image, mirrorHost) });
    for (const o of files.flatMap((f) => f.objects)) for (const image of podSpecImages(o)) add(`platform:${o.kind}/${o.metadata.name}`, image);
    for (const release of renderClusterReleases(ctx, unmirrored, cluster)) {
      for (const image of renderedImages(release.objects)) add(`addon:${release.addon.id}@${release.addon.chart.version}`, image);
    }
    const kubeflow = buildKubeflowInstall(ctx.kustomize, files.flatMap((f) => f.objects), ctx.kubeflowManifests);
    for (const k of kubeflowImages(kubeflow)) add(`kubeflow:${KUBEFLOW_MANIFESTS.tag}:${k.object}`, k.image);
  }
  return [...entries.values()].sort((a, b) => a.cluster.localeCompare(b.cluster) || a.image.localeCompare(b.image) || a.source.localeCompare(b.source));
}

function main(argv: readonly string[]): void {
  const env = argv.find((a) => !a.startsWith('--'));
  if (env === undefined) {
    console.error(
      'usage: npm run images -- <environment> [--mirrored-only]\n' +
        'prints "<cluster> <image> <mirrored image> <source>" for every image the environment runs, from helm renders of the pinned charts\n' +
        '(helm, kustomize: $HELM, $KUSTOMIZE or `npm run tools:build`; charts: $HML_CHART_REPOSITORY, a chart repository directory or URL, else ../shared/charts, else upstream; Kubeflow: $HML_KUBEFLOW_MANIFESTS, else ../shared/kubeflow-manifests)',
    );
    process.exitCode = 2;
    return;
  }
  try {
    for (const e of environmentImages(loadEnvironment(env), defaultRenderContext())) console.log(argv.includes('--mirrored-only') ? e.mirrored : `${e.cluster}\t${e.image}\t${e.mirrored}\t${e.source}`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  }
}

if (require.main === module) main(process.argv.slice(2));
