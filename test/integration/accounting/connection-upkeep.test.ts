// The daily upkeep of accounting connections: the service worker (its production entry point, as a process) makes
// sure the Schedule exists; a run warns of an idle QuickBooks grant 30 days before it lapses, once however many
// runs see it, and clears what consents left behind. Real Temporal (Schedules) and Postgres.
import type { Client } from '@temporalio/client';
import { connectionUpkeepScheduleId, type ConnectionUpkeepResult } from '../../../workflows/connections/definitions';
import { eventually } from '../../support/eventually';
import { recordHistory } from '../../support/histories';
import { httpClient } from '../../support/http';
import { createTestMerchant } from '../../support/merchants';
import { runWorkerProcess, type RunningProcess } from '../../support/processes';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;
let service: RunningProcess | undefined;

beforeAll(async () => {
  // Every role in this process but the service one: that worker runs as its own process, as in production.
  stack = await startTestStack({ roles: ['workflows', 'wise-pay', 'company'] });
});
afterAll(async () => {
  await service?.stop();
  await stack?.client.schedule.getHandle(connectionUpkeepScheduleId(stack.taskQueuePrefix)).delete().catch(() => undefined);
  await stack?.close();
});

const DAY = 86_400_000;

/** Triggers the Schedule now and waits for the run it starts to finish. */
async function triggerAndWait(client: Client, scheduleId: string): Promise<{ result: ConnectionUpkeepResult; workflowId: string; runId: string }> {
  const handle = client.schedule.getHandle(scheduleId);
  const before = (await handle.describe()).info.recentActions.length;
  await handle.trigger();
  const described = await eventually('the triggered run starts', () => handle.describe(), (d) => d.info.recentActions.length > before);
  const { workflowId, firstExecutionRunId: runId } = described.info.recentActions.at(-1)!.action.workflow;
  return { result: await client.workflow.getHandle(workflowId, runId).result(), workflowId, runId };
}

it('the service worker schedules the upkeep; a run warns of an idle grant once, however often it runs', async () => {
  const scheduleId = connectionUpkeepScheduleId(stack.taskQueuePrefix);
  service = runWorkerProcess(stack, 'service');
  await service.waitForOutput(/connection upkeep scheduled/);
  const schedule = await stack.client.schedule.getHandle(scheduleId).describe();
  expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'connectionUpkeepWorkflow', taskQueue: `${stack.taskQueuePrefix}.workflows` });
  expect(schedule.spec.calendars).toHaveLength(1);
  expect(schedule.state.paused).toBe(false);

  // An idle QuickBooks connection whose refresh token lapses in 10 days (nothing uses it, so nothing else warns).
  const { merchantId, apiKey } = await createTestMerchant(stack);
  await stack.accounting.connections.connect(merchantId, 'wise-pay', { platform: 'quickbooks', tenantId: '9341453', tokens: {
    access_token: 'at', refresh_token: 'rt', expires_in: 3600, x_refresh_token_expires_in: (10 * DAY) / 1000 } });
  const expiring = async () => (await httpClient(stack.api!.url, apiKey)('GET', '/v1/messages')).body.messages
    .filter((m: { kind: string }) => m.kind === 'accounting-grant-expiring');
  expect(await expiring()).toEqual([]);

  const first = await triggerAndWait(stack.client, scheduleId);
  expect(first.result.warned).toBe(1);
  const second = await triggerAndWait(stack.client, scheduleId);
  expect(second.result.warned).toBe(0);
  expect(second.runId).not.toBe(first.runId);
  const messages = await expiring();
  expect(messages).toHaveLength(1);
  expect(messages[0].text).toMatch(/wise-pay connection to QuickBooks Online lapses on \d{4}-\d{2}-\d{2}/);

  // A second service worker (or a restart) finds the Schedule and leaves it as it is.
  const again = runWorkerProcess(stack, 'service');
  try {
    await again.waitForOutput(/connection upkeep scheduled/);
  } finally {
    await again.stop();
  }
  expect((await stack.client.schedule.getHandle(scheduleId).describe()).info.recentActions).toHaveLength(2);
  await recordHistory(stack.client.workflow.getHandle(first.workflowId, first.runId), 'connectionUpkeepWorkflow');
});
