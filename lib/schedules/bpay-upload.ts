// The nightly BPAY upload as a Temporal Schedule per merchant, in the merchant's time zone (the Web UI lists them
// as `bpay-upload/{merchant}`). Created or updated when the merchant's settings change, paused while the upload is
// disabled (the 30-day limit), resumed when an admin turns it on again.
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleSpec } from '@temporalio/client';
import { taskQueueName } from '../task-queues';
import { bpayUploadWorkflow } from '../../workflows/bpay/bpay-upload-workflow';

/** Half past one at night, local time: after the bank's BPAY file for the day is in. */
export const BPAY_UPLOAD_AT = { hour: 1, minute: 30 };

export const bpayScheduleId = (merchantId: string) => `bpay-upload/${merchantId}`;

export async function ensureBpaySchedule(client: Client, opts: { merchantId: string; timezone: string; taskQueuePrefix: string; enabled: boolean }): Promise<void> {
  const spec: ScheduleSpec = { calendars: [{ hour: BPAY_UPLOAD_AT.hour, minute: BPAY_UPLOAD_AT.minute }], timezone: opts.timezone };
  const note = opts.enabled ? 'nightly BPAY upload' : 'upload disabled: more than 4,000 payments in 30 days';
  try {
    await client.schedule.create({
      scheduleId: bpayScheduleId(opts.merchantId),
      spec,
      action: { type: 'startWorkflow', workflowType: bpayUploadWorkflow, args: [{ merchantId: opts.merchantId }],
        taskQueue: taskQueueName(opts.taskQueuePrefix, 'workflows'), workflowId: `bpay-upload/${opts.merchantId}` },
      // One night at a time; a night missed while Temporal was down still runs within a day.
      policies: { overlap: 'SKIP', catchupWindow: '1 day' },
      state: { paused: !opts.enabled, note },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(bpayScheduleId(opts.merchantId)).update((previous) => ({
      ...previous, spec, state: { ...previous.state, paused: !opts.enabled, note },
    }));
  }
}

export async function pauseBpaySchedule(client: Client, merchantId: string, note: string): Promise<void> {
  try {
    await client.schedule.getHandle(bpayScheduleId(merchantId)).pause(note);
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err; // never scheduled: nothing to pause
  }
}
