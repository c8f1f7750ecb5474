// A payment taken by a merchant: recorded in Postgres by an activity on the wise-pay queue (a user action).
// The first end-to-end path through API, Temporal, a role queue and Postgres; the payment flows of later
// issues grow from here.
import { proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { accountingQueueFor } from '../../lib/task-queues';
import { SettleStatus } from '../../lib/temporal/search-attributes';
import { paymentStateQuery, type PaymentInput, type PaymentState } from './definitions';

export async function paymentWorkflow(input: PaymentInput): Promise<PaymentState> {
  const state: PaymentState = { ...input, status: 'received' };
  setHandler(paymentStateQuery, () => state);

  const { recordPayment } = proxyActivities<activities.Activities>({
    taskQueue: accountingQueueFor(workflowInfo().taskQueue, 'wise-pay'),
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });

  const { recordedAt } = await recordPayment({ ...input, workflowId: workflowInfo().workflowId });
  state.status = 'recorded';
  state.recordedAt = recordedAt;
  upsertSearchAttributes([{ key: SettleStatus, value: state.status }]);
  return state;
}
