// Addresses of the servers the global setup started, handed to test files through the environment.
export interface TestServers {
  temporalAddress: string;
  /**
   * The time-skipping test server's launcher (`<exe> <port>`); each suite that needs one starts its own
   * (test/support/time-skipping.ts). Undefined when only the SDK's download could provide it.
   */
  timeSkippingExecutable?: string;
  /** Admin connection URL; each test file gets its own database from the migrated template. */
  postgresUrl: string;
  templateDatabase: string;
  workflowBundlePath: string;
  /**
   * This run's scratch folder: the logs the tests' API and workers write, and the leak scans (test/support/run-logs.ts).
   * Benchmarks, which reuse the stacks, publish none: their stacks log nothing and scan nothing.
   */
  runDir?: string;
}

const ENV_KEY = 'SETTLE_TEST_SERVERS';

export function publishTestServers(servers: TestServers): void {
  process.env[ENV_KEY] = JSON.stringify(servers);
}

export function testServers(): TestServers {
  const raw = process.env[ENV_KEY];
  if (!raw) throw new Error('test servers are not running: run the tests with `npm test` (jest global setup)');
  return JSON.parse(raw);
}
