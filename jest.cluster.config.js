/** Integration tests against a real kube-apiserver + etcd on loopback (see test/cluster/). */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/cluster'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 600000,
  maxWorkers: 1,
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
};
