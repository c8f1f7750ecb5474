/** `npm run chaos`: the full fault suite (test/chaos, refunds included) at full size; `npm test` runs a bounded slice of it. */
// Read by test/chaos/support.ts in the jest workers (they inherit this process's environment).
process.env.SETTLE_CHAOS = 'full';
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/chaos/**/*.test.ts'],
  testPathIgnorePatterns: [],
  // One file at a time: each stresses the whole machine, and two would only measure each other.
  maxWorkers: 1,
  testTimeout: 600_000,
};
