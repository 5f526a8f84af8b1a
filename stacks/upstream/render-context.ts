import * as fs from 'node:fs';
import * as path from 'node:path';
import { toolPaths } from '../../test/tools/build';
import { defaultCrdDirectory, loadCrds } from '../pulumi/addon-install';
import { CHART_REPOSITORY_ENV, chartRepositoryFrom } from './chart-repository';
import { RenderContext } from './addon-render';
import { kubeflowManifestsDir } from './kubeflow-build';

/** The repository root (the folder with package.json), from source or from build/. */
function repositoryRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'environments'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root above ${from}`);
  }
}

/** The chart repository on disk beside the repository (../shared/charts), as CI and an offline fork lay it out. */
export const sharedChartsDir = (): string => path.resolve(repositoryRoot(), '..', 'shared', 'charts');

/**
 * helm and kustomize: `HELM` / `KUSTOMIZE`, else the ones `npm run tools:build` caches, else on PATH. Charts:
 * `HML_CHART_REPOSITORY` (a directory with index.yaml or a URL), else ../shared/charts, else upstream.
 * Kubeflow manifests: `HML_KUBEFLOW_MANIFESTS`, else ../shared/kubeflow-manifests.
 */
export function defaultRenderContext(): RenderContext {
  const tools = toolPaths();
  const helm = process.env.HELM ?? (fs.existsSync(tools.helm) ? tools.helm : 'helm');
  const kustomize = process.env.KUSTOMIZE ?? (fs.existsSync(tools.kustomize) ? tools.kustomize : 'kustomize');
  return {
    helm,
    kustomize,
    charts: chartRepositoryFrom(process.env[CHART_REPOSITORY_ENV], [sharedChartsDir()]),
    crds: loadCrds(defaultCrdDirectory()),
    kubeflowManifests: kubeflowManifestsDir(repositoryRoot()),
  };
}
