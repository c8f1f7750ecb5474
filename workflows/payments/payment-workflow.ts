// A payment taken by a merchant or a payer: recorded in Postgres, then posted straight against the invoices it pays
// (or recorded as not uploaded, with why), both on the wise-pay queue: a user action, not background work.
import { patched, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { accountingQueueFor } from '../../lib/task-queues';
import { SettleStatus } from '../../lib/temporal/search-attributes';
import { reconnectionWait } from '../support/reconnection';
import { paymentStateQuery, type PaymentInput, type PaymentState } from './definitions';

export async function paymentWorkflow(input: PaymentInput): Promise<PaymentState> {
  const state: PaymentState = { ...input, status: 'received' };
  // Payments started before reconnection waits retry an unavailable connection every minute, as they did; newer
  // ones wait for the merchant to reconnect (workflows/support/reconnection.ts) and then post, once.
  const books = reconnectionWait(input.merchantId, patched('wait-for-reconnection'));
  setHandler(paymentStateQuery, () => ({ ...state, waitingForConnection: books.waiting }));

  const wisePay = accountingQueueFor(workflowInfo().taskQueue, 'wise-pay');
  const retry = { initialInterval: '1 second', maximumInterval: '1 minute' } as const;
  const { recordPayment } = proxyActivities<activities.Activities>({ taskQueue: wisePay, startToCloseTimeout: '30 seconds', retry });
  // Accounting activities heartbeat every 2 s: a dead worker's posting is retried (same key) within 10 s.
  const { uploadPayment } = proxyActivities<activities.Activities>({
    taskQueue: wisePay, startToCloseTimeout: '2 minutes', heartbeatTimeout: '10 seconds', retry: books.retry(retry),
  });

  const { recordedAt } = await recordPayment({ ...input, workflowId: workflowInfo().workflowId });
  state.status = 'recorded';
  state.recordedAt = recordedAt;
  upsertSearchAttributes([{ key: SettleStatus, value: state.status }]);

  // Payments started before payment upload shipped end at recording, as they did.
  if (patched('upload-to-accounting')) {
    const upload = () => uploadPayment({ merchantId: input.merchantId, paymentId: input.paymentId });
    state.sync = await books.run(wisePay, upload);
  }
  return state;
}
