// The merchant's scheduled invoice sync and payment sync, as Temporal Schedules (the Web UI lists them as
// `invoice-sync/{merchant}` and `payment-sync/{merchant}`). A sync every N minutes; none when the merchant syncs on
// demand only. One run at a time: a run still going when the next is due makes that one skip.
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client } from '@temporalio/client';
import { taskQueueName } from '../task-queues';
import { invoiceSyncWorkflow } from '../../workflows/invoice-sync/invoice-sync-workflow';
import { paymentSyncWorkflow } from '../../workflows/invoice-sync/payment-sync-workflow';

export const invoiceSyncScheduleId = (merchantId: string) => `invoice-sync/${merchantId}`;
export const paymentSyncScheduleId = (merchantId: string) => `payment-sync/${merchantId}`;

async function ensure(client: Client, scheduleId: string, everyMinutes: number | null, action: Parameters<Client['schedule']['create']>[0]['action']): Promise<void> {
  if (everyMinutes === null) {
    try {
      await client.schedule.getHandle(scheduleId).delete();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
    return;
  }
  const spec = { intervals: [{ every: `${everyMinutes} minutes` as const }] };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies: { overlap: 'SKIP', catchupWindow: '1 hour' } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec }));
  }
}

export async function ensureInvoiceSyncSchedules(client: Client, opts: { merchantId: string; taskQueuePrefix: string; invoiceSyncEveryMinutes: number | null;
  paymentSyncEveryMinutes: number | null }): Promise<void> {
  const taskQueue = taskQueueName(opts.taskQueuePrefix, 'workflows');
  await ensure(client, invoiceSyncScheduleId(opts.merchantId), opts.invoiceSyncEveryMinutes, {
    type: 'startWorkflow', workflowType: invoiceSyncWorkflow, args: [{ merchantId: opts.merchantId }], taskQueue, workflowId: `invoice-sync/${opts.merchantId}/scheduled`,
  });
  await ensure(client, paymentSyncScheduleId(opts.merchantId), opts.paymentSyncEveryMinutes, {
    type: 'startWorkflow', workflowType: paymentSyncWorkflow, args: [{ merchantId: opts.merchantId }], taskQueue, workflowId: `payment-sync/${opts.merchantId}/scheduled`,
  });
}
