/** Tests run against real servers started once per run by test/global-setup.ts. */
// Type checking is `npm run typecheck` (part of `npm test`); ts-jest only transpiles (isolatedModules).
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
  // Two cores: more workers only contend with the servers they test against.
  maxWorkers: 2,
  modulePathIgnorePatterns: ['<rootDir>/.data', '<rootDir>/dist'],
};
