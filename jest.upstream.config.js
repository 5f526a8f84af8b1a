/**
 * Suites that meet the real upstream artifacts: the charts in ../shared/charts rendered by helm,
 * the Kubeflow manifests built by kustomize, the rules checked by promtool, all accepted by a
 * real kube-apiserver (see test/upstream/README.md).
 */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  // Jest's transform cache beside the dependencies, not in the temp dir (a run leaves temp as it was).
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  roots: ['<rootDir>/test/upstream'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 900000,
  // Two files at a time: the Kueue scenario files mostly wait on Kueue's timeouts (10 min pods-ready,
  // 5 min worker-lost), so kueue.test.ts and kueue-multikueue.test.ts overlap, and the CPU-bound
  // suites run beside them.
  maxWorkers: 2,
  transform: { '^.+\\.ts$': 'ts-jest' },
};
