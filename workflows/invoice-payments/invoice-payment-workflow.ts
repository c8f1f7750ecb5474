// One Pay Now checkout of a payer's invoices: claim them (no other checkout may pay them meanwhile), read each again
// from the accounting package on the wise-pay connection (a payer's action) for what is due now, open one
// PaymentIntent for the total, wait for the payer, read the outcome from Stripe, and post the one payment against
// every invoice through the same activities as any payment (record, then upload). A checkout charges at most once:
// its one PaymentIntent is keyed by this workflow, and an unpaid end cancels it before the invoices are released.
import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../../activities';
import type { IntentOutcome } from '../../activities/quotes/stripe-intents';
import { accountingQueueFor } from '../../lib/task-queues';
import { SettleStatus } from '../../lib/temporal/search-attributes';
import { reconnectionWait } from '../support/reconnection';
import { serial } from '../support/serial';
import {
  applySurchargeUpdate,
  cancelInvoiceCheckoutUpdate,
  checkoutOpenedUpdate,
  completeInvoiceCheckoutUpdate,
  invoicePaymentStateQuery,
  type InvoicePaymentInput,
  type InvoicePaymentState,
  type InvoicePaymentStatus,
} from './definitions';

const retry = { initialInterval: '1 second', maximumInterval: '1 minute' } as const;

export async function invoicePaymentWorkflow(input: InvoicePaymentInput): Promise<InvoicePaymentState> {
  const { workflowId, taskQueue } = workflowInfo();
  const queue = accountingQueueFor(taskQueue, 'wise-pay');
  // Stripe and Postgres only: no heartbeat; a retry after a lost answer reuses the intent's key.
  const wisePay = proxyActivities<activities.Activities>({ taskQueue: queue, startToCloseTimeout: '1 minute', retry });
  // Accounting calls heartbeat every 2 s: a dead worker's call is retried within 10 s, with the same keys.
  // Posting the paid invoices waits while the books are disconnected, then posts once (the payer's payment stands);
  // runs started before retry an unavailable connection every minute, as they did.
  const reconnect = reconnectionWait(input.merchantId, patched('wait-for-reconnection'));
  const books = reconnect.proxy({ taskQueue: queue, startToCloseTimeout: '2 minutes', heartbeatTimeout: '10 seconds', retry });
  // The payer waits on the page while the invoices are read: a few tries, then they are asked to come back later.
  const opening = proxyActivities<activities.Activities>({ taskQueue: queue, startToCloseTimeout: '1 minute', heartbeatTimeout: '10 seconds', retry: { ...retry, maximumAttempts: 3 } });
  const { merchantId, checkoutId, payerId, invoiceIds, method, timing, amounts } = input;

  const state: InvoicePaymentState = { checkoutId, payerId, method, status: 'opening', invoices: [] };
  const setStatus = (status: InvoicePaymentStatus, extra: Partial<InvoicePaymentState> = {}) => {
    Object.assign(state, extra, { status });
    upsertSearchAttributes([{ key: SettleStatus, value: status }]);
  };
  // Update handlers and the main flow interleave at every await; the steps that move money must not.
  const exclusive = serial();

  /** An unpaid end: the intent is cancelled first (no late confirmation can charge it), then the invoices released. */
  async function endUnpaid(status: 'failed' | 'cancelled' | 'abandoned', failure?: string): Promise<void> {
    const final = await wisePay.releaseInvoicePaymentIntent({ checkoutId, paymentIntentId: state.paymentIntentId! });
    if (final.outcome === 'succeeded' || final.outcome === 'processing') return apply(final); // the payer paid after all
    await wisePay.releaseInvoiceClaims({ merchantId, checkoutId });
    setStatus(status, { failure });
  }

  /** What Stripe says about the intent, applied; 'open' means it is still with the payer. */
  async function apply(read: { outcome: IntentOutcome; failure?: string }): Promise<void> {
    if (read.outcome === 'succeeded') setStatus('paid');
    else if (read.outcome === 'processing') setStatus('processing');
    else if (read.outcome === 'failed') await endUnpaid('failed', read.failure ?? 'the payment failed');
  }

  setHandler(invoicePaymentStateQuery, () => ({ ...state, waitingForConnection: reconnect.waiting }));
  setHandler(checkoutOpenedUpdate, async () => {
    await condition(() => state.status !== 'opening');
    return state;
  });
  setHandler(completeInvoiceCheckoutUpdate, ({ paymentIntentId }) => exclusive(async () => {
    // A second completion (a reload of the return page) finds the first one's result.
    if (state.status === 'checkout-open') await apply(await wisePay.readInvoicePaymentIntent({ checkoutId, paymentIntentId }));
    return state;
  }), { validator: ({ paymentIntentId }) => { if (!state.paymentIntentId || paymentIntentId !== state.paymentIntentId) throw new Error("not this checkout's payment"); } });
  // A new update: runs that never receive it replay as before (no patch needed); it only changes the open intent.
  setHandler(applySurchargeUpdate, ({ paymentMethodId }) => exclusive(async () => {
    if (state.status !== 'checkout-open') return state; // paid or ended meanwhile: the page shows where it stands
    state.surcharge = await wisePay.applyCheckoutSurcharge({ merchantId, checkoutId, paymentIntentId: state.paymentIntentId!, paymentMethodId,
      amountMinor: state.amountMinor!, currency: state.currency!, invoiceIds: state.invoices.map((i) => i.invoiceId) });
    return state;
  }), { validator: ({ paymentMethodId }) => {
    if (state.status !== 'checkout-open') throw new Error(`the checkout is ${state.status}; a surcharge is only worked out while it is open`);
    if (!/^pm_[A-Za-z0-9_]{1,255}$/.test(paymentMethodId)) throw new Error('not a payment method id');
  } });
  setHandler(cancelInvoiceCheckoutUpdate, () => exclusive(async () => {
    if (state.status === 'checkout-open') await endUnpaid('cancelled');
    return state;
  }), { validator: () => { if (state.status !== 'checkout-open') throw new Error(`the checkout is ${state.status}; only an open checkout can be cancelled`); } });

  const finish = async () => {
    await condition(allHandlersFinished); // a waiting checkoutOpened gets its answer before the workflow closes
    return state;
  };

  // Opening: the invoices are held first, so nothing else pays them between the read and the charge.
  const claimed = await wisePay.claimInvoicesForCheckout({ merchantId, payerId, checkoutId, invoiceIds });
  if (!claimed.ok) {
    setStatus('refused', { failure: claimed.reason });
    return finish();
  }
  let selection: Awaited<ReturnType<activities.Activities['readInvoicesForCheckout']>>;
  try {
    // The part of each invoice the payer chose is checked there against what is due now; the lines say what is
    // paid of each, so the charge, the surcharge and each invoice's payment in the books are for that (issue 27).
    selection = await opening.readInvoicesForCheckout({ merchantId, payerId, invoiceIds, method, ...(amounts ? { amounts } : {}) });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    selection = { ok: false, reason: 'Your invoices could not be read from the accounting package just now. Nothing was charged; please try again in a few minutes.' };
  }
  // Never charge other than the part asked for: an activity worker from before part payments (a rolling deploy)
  // would read every invoice in full. Only checkouts with amounts ask, so earlier runs replay as they ran.
  if (selection.ok && amounts && selection.lines.some((l) => Object.hasOwn(amounts, l.invoiceId) && amounts[l.invoiceId] !== l.amountMinor)) {
    selection = { ok: false, reason: 'The amounts to pay could not be checked just now. Nothing was charged; please try again in a few minutes.' };
  }
  if (!selection.ok) {
    await wisePay.releaseInvoiceClaims({ merchantId, checkoutId });
    setStatus('refused', { failure: selection.reason });
    return finish();
  }
  const { currency, totalMinor } = selection;
  const opened = await wisePay.createInvoicePaymentIntent({ merchantId, payerId, checkoutId, method, amountMinor: totalMinor, currency,
    invoiceNumbers: selection.lines.map((l) => l.number) });
  setStatus('checkout-open', { invoices: selection.lines, currency, amountMinor: totalMinor, paymentIntentId: opened.paymentIntentId });

  // With the payer, until an outcome or a cancel; nobody back in time is an abandoned checkout (unless Stripe says paid).
  if (!(await condition(() => state.status !== 'checkout-open', timing.abandonAfterMs))) {
    await exclusive(async () => {
      if (state.status === 'checkout-open') await endUnpaid('abandoned');
    });
  }

  // A bank debit clears in days: ask Stripe daily, for a bounded time. A late rejection (an ACH return or dispute
  // after success) is not handled here yet: it would need this to wait out the return window on Stripe's webhooks (as
  // bankDebitSettlementWorkflow does for quotes) and then take the payment back out of the books, owing the invoices again.
  for (let check = 1; state.status === 'processing'; check++) {
    if (check > timing.bankDebitMaxChecks) {
      await wisePay.raiseMerchantAction({ merchantId, kind: 'invoice-payment-outcome-unknown', subject: checkoutId,
        detail: `A Pay Now bank debit (${state.paymentIntentId}) for invoices ${state.invoices.map((i) => i.number).join(', ')} has had no outcome from Stripe; check it there. The invoices stay held until then.` });
      setStatus('outcome-unknown');
      return finish();
    }
    await sleep(timing.bankDebitCheckEveryMs);
    const read = await wisePay.readInvoicePaymentIntent({ checkoutId, paymentIntentId: state.paymentIntentId! });
    if (read.outcome === 'succeeded') setStatus('paid');
    else if (read.outcome === 'failed') {
      await wisePay.releaseInvoiceClaims({ merchantId, checkoutId });
      setStatus('failed', { failure: read.failure ?? 'the bank debit failed' });
    }
  }

  if (state.status === 'paid') {
    // One payment, one application per invoice, posted straight against them (as an automatic payment is).
    const paymentId = opened.paymentId;
    state.paymentId = paymentId;
    await wisePay.recordPayment({ paymentId, merchantId, amountMinor: totalMinor, currency, reference: `Pay Now ${state.paymentIntentId}`, channel: 'pay_now',
      stripePaymentIntentId: state.paymentIntentId, method, applications: selection.lines.map((l) => ({ invoiceId: l.invoiceId, amountMinor: l.amountMinor, ...(l.amountDueMinor ? { amountDueMinor: l.amountDueMinor } : {}) })),
      payerId, workflowId });
    const sync = await books.uploadPayment({ merchantId, paymentId });
    state.sync = sync.status;
    // The surcharge (issue 27) is its own invoice in the books, paid from what was charged on top of the invoices;
    // only checkouts with one ask (so runs from before, which never had one, replay as they ran).
    if (state.surcharge && state.surcharge.surchargeMinor > 0 && sync.status === 'synced' && patched('surcharges')) {
      const posted = await books.postPaymentSurcharge({ merchantId, paymentId, surchargeMinor: state.surcharge.surchargeMinor, currency,
        invoiceIds: selection.lines.map((l) => l.invoiceId), invoiceNumbers: selection.lines.map((l) => l.number),
        paidOn: sync.syncedAt?.slice(0, 10) ?? new Date(Date.now()).toISOString().slice(0, 10), reference: `Pay Now ${state.paymentIntentId} surcharge` });
      state.surchargeSync = posted.status;
    }
    if (sync.status === 'synced') {
      await books.refreshInvoiceCopies({ merchantId, invoiceIds });
      await wisePay.releaseInvoiceClaims({ merchantId, checkoutId });
    }
    // Not synced: uploadPayment raised the merchant's action; the invoices stay held, so the payer is never asked
    // to pay again what they have paid.
  }
  // The payer may have left the page (a bank debit fails days later): tell them by email, with the link back.
  // Checkouts that ended before this email existed end as they did.
  if (state.status === 'failed' && patched('payer-declined-email')) {
    await wisePay.notifyInvoicePaymentDeclined({ merchantId, checkoutId, payerId, amountMinor: state.amountMinor!, currency: state.currency!,
      invoiceIds: state.invoices.map((i) => i.invoiceId), failure: state.failure ?? 'the payment failed' });
  }
  return finish();
}
