// The shared time-skipping server really skips time: a 30-day timer completes in seconds.
import { randomBytes } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { waitThirtyDays } from '../fixtures/workflows';
import { newKeyringText, parseKeyring } from '../../lib/crypto/sealed-box';
import { settleDataConverter } from '../../lib/temporal/payload-codec';
import { connectTimeSkipping } from '../support/time-skipping';

const keyring = parseKeyring(newKeyringText());
// Bundling the fixture workflows (webpack) shares two cores with the rest of the suite: give it room.
jest.setTimeout(180_000);

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await connectTimeSkipping(keyring);
});
afterAll(() => env.teardown());

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
  const elapsedWorkflowMs = await worker.runUntil(
    env.client.workflow.execute(waitThirtyDays, { workflowId: `wait-${taskQueue}`, taskQueue }),
  );
  expect(elapsedWorkflowMs).toBeGreaterThanOrEqual(30 * 24 * 3600 * 1000);
  expect(Date.now() - realStart).toBeLessThan(30_000);
});
