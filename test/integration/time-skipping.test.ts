// A suite's own time-skipping server really skips time: a 30-day timer completes in seconds.
import { randomBytes } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { waitThirtyDays } from '../fixtures/workflows';
import { newKeyringText, parseKeyring } from '../../lib/crypto/sealed-box';
import { settleDataConverter } from '../../lib/temporal/payload-codec';
import { resultWithin, startTimeSkippingServer, type TimeSkippingServer } from '../support/time-skipping';

const keyring = parseKeyring(newKeyringText());
// Bundling the fixture workflows (webpack) shares two cores with the rest of the suite: give it room.
jest.setTimeout(180_000);

let server: TimeSkippingServer;
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  server = await startTimeSkippingServer(keyring);
  env = server.env;
});
afterAll(() => server?.stop());

it('runs a 30-day timer in moments of real time', async () => {
  expect(env.supportsTimeSkipping).toBe(true);
  const taskQueue = `time-skipping-${randomBytes(4).toString('hex')}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../fixtures/workflows'),
    dataConverter: settleDataConverter(keyring),
  });
  const realStart = Date.now();
  const elapsedWorkflowMs = await worker.runUntil(async () =>
    resultWithin(env, await env.client.workflow.start(waitThirtyDays, { workflowId: `wait-${taskQueue}`, taskQueue }), 30_000),
  );
  expect(elapsedWorkflowMs).toBeGreaterThanOrEqual(30 * 24 * 3600 * 1000);
  expect(Date.now() - realStart).toBeLessThan(30_000);
});
