// A refund of a payment taken through Stripe: the Stripe refund on the merchant's account, its outcome (at once, or
// when Stripe's webhook says so, asked again now and then), and only when it succeeded the reversal in the books;
// a failed refund leaves a message for the merchant and the books as they were. All on the wise-pay queue: a
// merchant's action, not background work. The refund's id keys every write, so a retry or replay makes one refund.
import { condition, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { accountingQueueFor } from '../../lib/task-queues';
import { reconnectionWait, waitsForConnection } from '../support/reconnection';
import { refundChangedSignal, refundStateQuery, type RefundInput, type RefundState } from './definitions';

const CHECK_EVERY_MS = 10 * 60_000;
const MAX_CHECKS = 6 * 24 * 7;
/** After the week: asked again daily (Stripe's webhook usually comes first), for about three more months. */
const WATCH_EVERY_MS = 24 * 3_600_000;
const MAX_WATCH_CHECKS = 90;

export async function refundWorkflow(input: RefundInput): Promise<RefundState> {
  const state: RefundState = { status: 'refunding' };
  setHandler(refundStateQuery, () => state);
  let changed = false;
  setHandler(refundChangedSignal, () => {
    changed = true;
  });

  const wisePay = accountingQueueFor(workflowInfo().taskQueue, 'wise-pay');
  const retry = { initialInterval: '1 second', maximumInterval: '1 minute' } as const;
  const stripe = proxyActivities<activities.Activities>({ taskQueue: wisePay, startToCloseTimeout: '1 minute', retry });
  const books = proxyActivities<activities.Activities>({ taskQueue: wisePay, startToCloseTimeout: '2 minutes', heartbeatTimeout: '10 seconds', retry: waitsForConnection(retry) });
  const ref = { merchantId: input.merchantId, refundId: input.refundId };

  let outcome = await stripe.requestStripeRefund(ref);
  const maxChecks = input.maxChecks ?? MAX_CHECKS;
  let watching = false;
  for (let check = 1; outcome.status === 'pending'; check++) {
    state.status = 'pending';
    if (check > maxChecks && !watching) {
      // A week without Stripe's word: the merchant is told (an Action), not left with a silent end. Settle keeps
      // watching the refund and reverses it in the books the day Stripe says it succeeded, so the merchant must not
      // record it by hand; refunds that reached this point before kept no watch and asked the merchant to.
      const actionRaised = patched('pending-refund-action');
      watching = actionRaised && patched('pending-refund-keeps-watching');
      if (actionRaised) {
        await stripe.raiseRefundPendingAction({ ...ref, pendingForMs: maxChecks * (input.checkEveryMs ?? CHECK_EVERY_MS), ...(watching ? { keepsWatching: true } : {}) });
      }
      if (!watching) {
        state.status = 'outcome-unknown';
        return state;
      }
    }
    if (watching && check > maxChecks + (input.maxWatchChecks ?? MAX_WATCH_CHECKS)) {
      // Months without an outcome: the merchant takes it over (a message says so; the Action stays open).
      await stripe.handOverPendingRefund(ref);
      state.status = 'outcome-unknown';
      return state;
    }
    await condition(() => changed, watching ? WATCH_EVERY_MS : (input.checkEveryMs ?? CHECK_EVERY_MS));
    changed = false;
    outcome = await stripe.readStripeRefund(ref);
  }
  await stripe.recordRefundOutcome({ ...ref, ...outcome });
  if (outcome.status === 'failed') {
    return Object.assign(state, { status: 'failed', failure: outcome.failure });
  }
  state.status = 'succeeded';
  state.books = await reconnectionWait(input.merchantId).run(wisePay, () => books.reverseRefundInBooks(ref));
  state.status = state.books.status === 'reversed' ? 'reversed' : 'not-posted';
  return state;
}
