/** Integration tests against a real kube-apiserver + etcd on loopback (see test/cluster/). */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  // Jest's transform cache beside the dependencies, not in the temp dir (a run leaves temp as it was).
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  roots: ['<rootDir>/test/cluster'],
  testMatch: ['**/*.test.ts'],
  // `pulumi up` for real runs on its own (`npm run test:pulumi`): ~30 min on 2 cores.
  testPathIgnorePatterns: ['/node_modules/', '/test/cluster/pulumi-up', '/test/cluster/pulumi-bench'],
  testTimeout: 600000,
  maxWorkers: 1,
  transform: { '^.+\\.ts$': 'ts-jest' },
};
