/** `npm run cluster`'s test half: Settle on the production Temporal cluster (test/cluster), not part of `npm test`. */
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  // One file, and it takes the whole machine: a cluster, two APIs and eight workers.
  maxWorkers: 1,
  testTimeout: 600_000,
};
