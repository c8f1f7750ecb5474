// "Payment Sync" (id `payment-sync/{merchant}`, or the Schedule's): payments and credit allocations applied in the
// accounting package to synced invoices are recorded on the Manage invoices, a chunk of invoices per activity, on the
// company connection. Only counts pass through here; what was carried lives in Postgres (invoice_sync_payments).
import { patched, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { accountingQueueFor } from '../../lib/task-queues';
import { reconnectionWait } from '../support/reconnection';
import type { PaymentSyncInput, PaymentSyncResult } from './definitions';

export async function paymentSyncWorkflow(input: PaymentSyncInput): Promise<PaymentSyncResult> {
  // While the books are disconnected it waits for the merchant to reconnect them; runs started before retry every minute.
  const company = reconnectionWait(input.merchantId, patched('wait-for-reconnection')).proxy({
    taskQueue: accountingQueueFor(workflowInfo().taskQueue, 'company'), startToCloseTimeout: '15 minutes', heartbeatTimeout: '20 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  const result: PaymentSyncResult = { checked: 0, carried: 0, failed: 0 };
  for (let after: number | null = 0; after !== null; ) {
    const chunk: Awaited<ReturnType<activities.Activities['carryPaymentsBack']>> = await company.carryPaymentsBack({ merchantId: input.merchantId, afterInvoiceId: after });
    result.checked += chunk.checked;
    result.carried += chunk.carried;
    result.failed += chunk.failed;
    after = chunk.next;
  }
  return result;
}
