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
  // The chaos suite's slice in CI: a worker kill (100 payments), a worker kill mid-refund and the emulator fault run
  // (40). The restarts of Temporal and Postgres and the full sizes run with `npm run chaos` (jest.chaos.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/chaos/(temporal|postgres)-restart', '<rootDir>/test/cluster/'],
  modulePathIgnorePatterns: ['<rootDir>/.data', '<rootDir>/dist'],
};
