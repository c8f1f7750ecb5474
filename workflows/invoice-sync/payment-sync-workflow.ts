// "Payment Sync" (id `payment-sync/{merchant}`, or the Schedule's): payments and credit allocations applied in the
// accounting package to synced invoices are recorded on the Manage invoices, a chunk of invoices per activity, on the
// company connection. Only counts pass through here; what was carried lives in Postgres (invoice_sync_payments).
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { accountingQueueFor } from '../../lib/task-queues';
import type { PaymentSyncInput, PaymentSyncResult } from './definitions';

export async function paymentSyncWorkflow(input: PaymentSyncInput): Promise<PaymentSyncResult> {
  const company = proxyActivities<activities.Activities>({
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
