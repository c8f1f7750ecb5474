// What a Stripe event means for Settle: the merchant's connected account changed (its status is read again and
// kept); bank-debit outcomes and returns go to the settlement workflow of that payment (by id: merchant and
// PaymentIntent); everything else is acknowledged and ignored. Cards need no webhook:
// their outcome is read when the payer comes back from Stripe.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { sql } from 'kysely';
import type Stripe from 'stripe';
import { STRIPE_BANK_DEBIT_TYPES } from '../../activities/quotes/stripe-intents';
import { merchantAccount } from '../../activities/stripe/connected-account';
import { raiseMerchantAction } from '../../db/actions';
import { recordActivity } from '../../db/activity-log';
import { findStripeAccountById, updateStripeAccountStatus } from '../../db/stripe-accounts';
import { derivedId } from '../../lib/ids';
import { debitOutcomeSignal, debitReturnedSignal, settlementWorkflowId } from '../../workflows/quotes/definitions';
import { payoutWorkflowId } from '../../workflows/payouts/definitions';
import { payoutWorkflow } from '../../workflows/payouts/payout-workflow';
import { refundChangedSignal, refundWorkflowId } from '../../workflows/refunds/definitions';
import { taskQueueName } from '../../lib/task-queues';
import type { ApiDeps } from '../deps';
import { startRefundWorkflow } from '../routes/refunds';

export type Handling = 'signalled' | 'recorded' | 'ignored';

const BANK_DEBIT_TYPES = Object.values(STRIPE_BANK_DEBIT_TYPES);

/** The PaymentIntent an event is about, if any. */
export function paymentIntentOf(event: Stripe.Event): string | undefined {
  const object = event.data.object as { object?: string; id?: string; payment_intent?: string | { id: string } | null };
  if (object.object === 'payment_intent') return object.id;
  if (object.object === 'dispute') return typeof object.payment_intent === 'string' ? object.payment_intent : object.payment_intent?.id;
  return undefined;
}

/** Signals a running settlement; false when there is none (not started yet, or closed). */
async function signalSettlement(deps: ApiDeps, workflowId: string, send: (h: ReturnType<ApiDeps['temporal']['workflow']['getHandle']>) => Promise<void>): Promise<boolean> {
  try {
    await send(deps.temporal.workflow.getHandle(workflowId));
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/**
 * A charge was refunded (through Settle or in the Stripe dashboard): Settle's own refunds (metadata settle_refund_id)
 * are nudged to look at Stripe again; a succeeded refund Settle did not make is recorded once (by its Stripe id) as a
 * dashboard refund of the payment, and the same refund workflow reverses it in the books.
 */
async function chargeRefunded(deps: ApiDeps, merchantId: string, charge: Stripe.Charge): Promise<Handling> {
  const intentId = typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;
  if (!intentId) return 'ignored';
  // A payment taken on the Pay Now pages, else a quote payment (its card charge is refunded in the dashboard alike).
  const payment = await deps.db.selectFrom('payments').select(['id', 'currency', sql<'payment_id'>`'payment_id'`.as('column')]).where('merchant_id', '=', merchantId)
    .where('stripe_payment_intent_id', '=', intentId).executeTakeFirst()
    ?? await deps.db.selectFrom('quote_payments').select(['id', 'currency', sql<'quote_payment_id'>`'quote_payment_id'`.as('column')]).where('merchant_id', '=', merchantId)
      .where('payment_intent_id', '=', intentId).where('paid_at', 'is not', null).executeTakeFirst();
  if (!payment) return 'ignored';
  const account = await merchantAccount(deps.db, merchantId);
  let handling: Handling = 'recorded';
  for await (const refund of deps.stripe.refunds.list({ charge: charge.id, limit: 100 }, account.options())) {
    const ours = refund.metadata?.settle_refund_id;
    if (ours) {
      if (await signalSettlement(deps, refundWorkflowId(merchantId, ours), (h) => h.signal(refundChangedSignal))) handling = 'signalled';
      continue;
    }
    if (refund.status !== 'succeeded') continue;
    const refundId = derivedId('rfd', merchantId, `stripe:${refund.id}`);
    await deps.db.insertInto('payment_refunds').values({
      id: refundId, merchant_id: merchantId, [payment.column]: payment.id, idempotency_key: `stripe:${refund.id}`, amount_minor: refund.amount,
      currency: payment.currency, reason: refund.reason ?? null, origin: 'dashboard', stripe_refund_id: refund.id,
    }).onConflict((oc) => oc.doNothing()).execute();
    await recordActivity(deps.db, { merchantId, kind: 'dashboard-refund', subject: refundId, detail: `${refund.id} of payment ${payment.id}` });
    await startRefundWorkflow(deps, { merchantId, refundId, paymentId: payment.id });
    handling = 'signalled';
  }
  return handling;
}

export async function handleStripeEvent(deps: ApiDeps, merchantId: string, event: Stripe.Event): Promise<Handling> {
  if (event.type === 'payout.paid') {
    // Only a payout of the merchant's connected account (a Connect event names it) is the merchant's money.
    if (!event.account) return 'ignored';
    const payout = event.data.object as Stripe.Payout;
    try {
      await deps.temporal.workflow.start(payoutWorkflow, {
        workflowId: payoutWorkflowId(merchantId, payout.id), taskQueue: taskQueueName(deps.taskQueuePrefix, 'workflows'),
        args: [{ merchantId, payoutId: payout.id }], workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      // Stripe said so before (a redelivery, or another event id for the same payout): it is posted once.
      if (err instanceof WorkflowExecutionAlreadyStartedError) return 'ignored';
      throw err;
    }
    return 'signalled';
  }
  if (event.type === 'charge.refunded') return chargeRefunded(deps, merchantId, event.data.object as Stripe.Charge);
  if (event.type === 'refund.updated' || event.type === 'refund.failed') {
    const ours = (event.data.object as Stripe.Refund).metadata?.settle_refund_id;
    if (!ours) return 'ignored';
    return (await signalSettlement(deps, refundWorkflowId(merchantId, ours), (h) => h.signal(refundChangedSignal))) ? 'signalled' : 'recorded';
  }
  if (event.type === 'account.updated') {
    const accountId = (event.data.object as Stripe.Account).id;
    const row = await findStripeAccountById(deps.db, accountId);
    if (row?.merchant_id !== merchantId) return 'ignored';
    // Read the account rather than trust the event's copy: events can arrive out of order, the account is current.
    await updateStripeAccountStatus(deps.db, await deps.stripe.accounts.retrieve(accountId));
    return 'recorded';
  }
  if (event.type === 'payment_intent.succeeded' || event.type === 'payment_intent.payment_failed') {
    const intent = event.data.object as Stripe.PaymentIntent;
    if (intent.metadata?.settle_merchant_id !== merchantId || !intent.payment_method_types.some((t) => BANK_DEBIT_TYPES.includes(t))) return 'ignored';
    const outcome = event.type === 'payment_intent.succeeded' ? ('succeeded' as const) : ('failed' as const);
    const failure = intent.last_payment_error?.message ?? undefined;
    // Not started yet: the settlement reads this recorded event when it starts. Closed: nothing left to change.
    return (await signalSettlement(deps, settlementWorkflowId(merchantId, intent.id), (h) => h.signal(debitOutcomeSignal, { outcome, failure, eventId: event.id })))
      ? 'signalled' : 'recorded';
  }
  if (event.type === 'charge.dispute.created') {
    const dispute = event.data.object as Stripe.Dispute;
    const intentId = paymentIntentOf(event);
    if (!intentId) return 'ignored';
    if (await signalSettlement(deps, settlementWorkflowId(merchantId, intentId), (h) => h.signal(debitReturnedSignal, { reason: dispute.reason, eventId: event.id }))) {
      return 'signalled';
    }
    // No settlement open for it: the return window is over (or it was never a settled bank debit of ours).
    const intent = await deps.stripe.paymentIntents.retrieve(intentId, {}, (await merchantAccount(deps.db, merchantId)).options());
    const quotePaymentId = intent.metadata?.settle_quote_payment_id;
    if (intent.metadata?.settle_merchant_id !== merchantId || !quotePaymentId) return 'ignored';
    const detail = `A payment for quote payment ${quotePaymentId} was disputed or returned (${dispute.reason}) after Settle stopped watching it; the books were not changed: handle it by hand.`;
    await recordActivity(deps.db, { merchantId, kind: 'payment-returned-late', subject: quotePaymentId, detail }, intentId);
    await raiseMerchantAction(deps.db, { merchantId, kind: 'payment-returned-late', subject: intentId, detail });
    return 'recorded';
  }
  return 'ignored';
}
