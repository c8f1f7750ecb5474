// The daily upkeep of accounting connections as a Temporal Schedule (the Web UI lists it as `connection-upkeep/{prefix}`).
// Created idempotently by every service worker at start and by `npm start`: the first creates it, the others find it.
import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import { taskQueueName } from '../task-queues';
import { connectionUpkeepWorkflow } from '../../workflows/connections/connection-upkeep-workflow';
import { connectionUpkeepScheduleId } from '../../workflows/connections/definitions';

/** 18:45 UTC: early morning in Australia and New Zealand, after the merchants' nightly BPAY uploads (01:30 local). */
export const CONNECTION_UPKEEP_AT = { hour: 18, minute: 45 };

export async function ensureConnectionUpkeepSchedule(client: Client, taskQueuePrefix: string): Promise<void> {
  const scheduleId = connectionUpkeepScheduleId(taskQueuePrefix);
  try {
    await client.schedule.create({
      scheduleId,
      spec: { calendars: [{ hour: CONNECTION_UPKEEP_AT.hour, minute: CONNECTION_UPKEEP_AT.minute }] },
      action: { type: 'startWorkflow', workflowType: connectionUpkeepWorkflow, args: [], taskQueue: taskQueueName(taskQueuePrefix, 'workflows'), workflowId: scheduleId },
      // One run at a time; a day missed while Temporal was down still runs within a day.
      policies: { overlap: 'SKIP', catchupWindow: '1 day' },
      state: { note: 'daily: warn of expiring accounting grants, clear spent consents' },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err; // another worker (or an earlier start) made it
  }
}
