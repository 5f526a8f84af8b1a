/**
 * Suites that meet the real upstream artifacts: the charts in ../shared/charts rendered by helm,
 * the Kubeflow manifests built by kustomize, the rules checked by promtool, all accepted by a
 * real kube-apiserver (see test/upstream/README.md).
 */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/upstream'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 900000,
  maxWorkers: 1,
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
};
