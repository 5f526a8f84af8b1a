/**
 * `npm run test:pulumi`: every stack deployed by the Pulumi engine built from Go modules into real
 * control planes (test/cluster/pulumi-up.test.ts; about 10 min on 2 cores once the engine is built).
 */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  // Jest's transform cache beside the dependencies, not in the temp dir (a run leaves temp as it was).
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  roots: ['<rootDir>/test/cluster'],
  testMatch: ['**/pulumi-up.test.ts', '**/pulumi-bench.test.ts'],
  testTimeout: 600000,
  maxWorkers: 1,
  transform: { '^.+\\.ts$': 'ts-jest' },
};
