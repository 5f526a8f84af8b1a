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
} as const;
