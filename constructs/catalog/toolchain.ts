/**
 * Versions of the tools the tests build from Go modules (never downloaded as release binaries).
 * The Go wrapper modules under test/cluster/go/ pin the same versions; a unit test checks they agree.
 */
export const TEST_TOOLCHAIN = {
  /** k8s.io/kubernetes: kube-apiserver, kube-controller-manager, kube-scheduler (and kubectl). */
  kubernetes: 'v1.35.4',
  /** go.etcd.io/etcd/server/v3 */
  etcd: 'v3.6.16',
  /** sigs.k8s.io/kwok: fake GPU nodes for scheduling tests. */
  kwok: 'v0.7.0',
  /** github.com/pulumi/pulumi/pkg/v3 and sdk/v3: the Pulumi CLI (engine) for `npm run test:pulumi` (test/pulumi-engine/). */
  pulumi: 'v3.274.1',
  /**
   * github.com/pulumi/pulumi-kubernetes/provider/v4: no provider/v4 tag is served, so a pseudo-version.
   * Commit f47bc2d6f199 (2026-01-15) precedes the v4.25.0 tag (sdk/v4.25.0, 2026-01-16) by a day, so the
   * plugin reports 4.25.0 and package.json pins npm's @pulumi/kubernetes at 4.25.0.
   */
  pulumiKubernetesProvider: 'v4.0.0-20260115033456-f47bc2d6f199',
  /** The version the provider plugin reports (-X .../pkg/version.Version); equals package.json's @pulumi/kubernetes. */
  pulumiKubernetesPluginVersion: '4.25.0',
  /** helm.sh/helm/v3: renders the real charts (test/charts/); v3 is the major Flux's helm-controller and the Pulumi provider embed. */
  helm: 'v3.22.0',
  /** sigs.k8s.io/kustomize/kustomize/v5: builds the Kubeflow manifests (v5.8.3 needs Go 1.27). */
  kustomize: 'v5.8.1',
  /** github.com/prometheus/prometheus (cmd/promtool, Prometheus 3.16.0): checks and unit-tests the PrometheusRules (test/upstream/). */
  promtool: 'v0.316.0',
  /** sigs.k8s.io/kueue (cmd/kueue): the real Kueue manager for the scheduling scenarios (test/upstream/kueue.test.ts); equals the chart's appVersion. */
  kueue: 'v0.19.2',
} as const;

/**
 * The Node.js release CI runs every suite on (.ci/run installs npm's `node` package at this version,
 * which carries the binary). package.json's engines accepts the LTS lines 22 and 24; @types/node
 * follows the lower one, so code uses nothing newer than Node 22 has.
 */
export const CI_NODE = '24.21.0';
