// A Stripe payout reached the merchant's bank (payout.paid): read what it carried (its balance transactions, from
// Stripe, on the merchant's account) and post one deposit in the books whose lines sum to the payout: payments in and
// refunds out of the clearing account, Stripe's fees as an expense. The workflow's id is the payout's and the
// deposit's key derives from it, so the payout posts once however often Stripe says it was paid.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { accountingQueueFor } from '../../lib/task-queues';
import { reconnectionWait, waitsForConnection } from '../support/reconnection';
import type { PayoutInput, PayoutState } from './definitions';

export async function payoutWorkflow(input: PayoutInput): Promise<PayoutState> {
  // The wise-pay connection: the one the card payments were posted through, so the clearing account is the same.
  const wisePay = accountingQueueFor(workflowInfo().taskQueue, 'wise-pay');
  const retry = { initialInterval: '1 second', maximumInterval: '1 minute' } as const;
  const stripe = proxyActivities<activities.Activities>({ taskQueue: wisePay, startToCloseTimeout: '2 minutes', heartbeatTimeout: '30 seconds', retry });
  const books = proxyActivities<activities.Activities>({ taskQueue: wisePay, startToCloseTimeout: '2 minutes', heartbeatTimeout: '10 seconds', retry: waitsForConnection(retry) });

  const payout = await stripe.readPayout(input);
  const posted = await reconnectionWait(input.merchantId).run(wisePay, () => books.postPayoutDeposit({ ...input, ...payout }));
  return { ...posted, amountMinor: payout.amountMinor, currency: payout.currency, lines: payout.lines };
}
