// The daily reminder run as a Temporal Schedule (the Web UI lists it as `invoice-reminders/{prefix}`): created
// idempotently by every service worker at start, like the connection upkeep. The run only starts each new invoice's
// reminder workflow; the workflows' own timers send each step at 9:00 in the merchant's time zone.
import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import { taskQueueName } from '../task-queues';
import { reminderRunWorkflow } from '../../workflows/reminders/reminder-run-workflow';
import { reminderScheduleId } from '../../workflows/reminders/definitions';

/** 12:00 UTC: before 9:00 in the Americas, and a day's steps in Australia and New Zealand wait for their timers. */
export const REMINDER_RUN_AT = { hour: 12, minute: 0 };

export async function ensureReminderSchedule(client: Client, taskQueuePrefix: string): Promise<void> {
  const scheduleId = reminderScheduleId(taskQueuePrefix);
  try {
    await client.schedule.create({
      scheduleId,
      spec: { calendars: [{ hour: REMINDER_RUN_AT.hour, minute: REMINDER_RUN_AT.minute }] },
      action: { type: 'startWorkflow', workflowType: reminderRunWorkflow, args: [{}], taskQueue: taskQueueName(taskQueuePrefix, 'workflows'), workflowId: scheduleId },
      // One run at a time; a day missed while Temporal was down still runs within a day (each invoice starts once).
      policies: { overlap: 'SKIP', catchupWindow: '1 day' },
      state: { note: 'daily: start the reminder emails of outstanding invoices (merchants with reminders on)' },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err; // another worker (or an earlier start) made it
  }
}
