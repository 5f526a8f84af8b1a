/** Unit, construct and policy tests: fast, no external processes. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  // Jest's transform cache beside the dependencies, not in the temp dir (a run leaves temp as it was).
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/build/', '<rootDir>/test/cluster/', '<rootDir>/test/upstream/'],
  transform: { '^.+\\.ts$': 'ts-jest' },
};
