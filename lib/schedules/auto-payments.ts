// The daily auto-payment run as a Temporal Schedule per merchant, in the merchant's time zone (listed in the Web UI
// as `auto-payments/{merchant}`): created or updated when the merchant saves its auto-payment settings or time zone.
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleSpec } from '@temporalio/client';
import { taskQueueName } from '../task-queues';
import { autoPaymentScheduleId } from '../../workflows/auto-payments/definitions';
import { autoPaymentRunWorkflow } from '../../workflows/auto-payments/auto-payment-run-workflow';

/** Early morning, local time: invoices due today are charged before the business day starts. */
export const AUTO_PAYMENTS_AT = { hour: 6, minute: 0 };

export async function ensureAutoPaymentSchedule(client: Client, opts: { merchantId: string; timezone: string; taskQueuePrefix: string; payNowUrl: string }): Promise<void> {
  const spec: ScheduleSpec = { calendars: [{ hour: AUTO_PAYMENTS_AT.hour, minute: AUTO_PAYMENTS_AT.minute }], timezone: opts.timezone };
  const action = { type: 'startWorkflow' as const, workflowType: autoPaymentRunWorkflow, args: [{ merchantId: opts.merchantId, payNowUrl: opts.payNowUrl }] as [{ merchantId: string; payNowUrl: string }],
    taskQueue: taskQueueName(opts.taskQueuePrefix, 'workflows'), workflowId: `auto-payment-run/${opts.merchantId}` };
  try {
    // One run at a time; a day missed while Temporal was down still runs within a day (charges are keyed per invoice).
    await client.schedule.create({ scheduleId: autoPaymentScheduleId(opts.merchantId), spec, action, policies: { overlap: 'SKIP', catchupWindow: '1 day' } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(autoPaymentScheduleId(opts.merchantId)).update((previous) => ({ ...previous, spec, action }));
  }
}

/** Moves an existing schedule to a new time zone; a merchant without automatic payments has none to move. */
export async function followTimezone(client: Client, merchantId: string, timezone: string): Promise<void> {
  try {
    await client.schedule.getHandle(autoPaymentScheduleId(merchantId)).update((previous) => ({ ...previous, spec: { ...previous.spec, timezone } }));
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}
