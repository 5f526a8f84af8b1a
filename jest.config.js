/** Unit, construct and policy tests: fast, no external processes. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/build/', '<rootDir>/test/cluster/', '<rootDir>/test/upstream/'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
};
