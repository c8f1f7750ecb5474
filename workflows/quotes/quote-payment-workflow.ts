// A CPQ quote payment, from "Accept and Pay" to the credit note allocated to the PSA's downpayment invoice.
//
// Checkout: the Pay Now page drives it with updates (begin, complete, retry, cancel); the outcome is always
// read from Stripe, never taken from the browser. A checkout nobody touches for `abandonAfterMs` is abandoned
// and its PaymentIntent cancelled. Posting runs here, not in the update, so a slow accounting package never
// keeps a payer waiting: a card payment books an invoice and its payment plus an authorised credit note
// (reference PF); a bank debit books a draft credit note that is approved when the debit settles, or deleted
// when it fails (the payer may then retry). Then the recurring portion's saved method and billing terms are
// recorded, the merchant is notified, and the workflow waits for the downpayment invoice to allocate to.
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../../activities';
import { bankDebitScheme, checkoutChoices, offeredMethods } from '../../lib/quotes/methods';
import { downpaymentAllocationMinor } from '../../lib/quotes/downpayment';
import { accountingQueueFor } from '../../lib/task-queues';
import { SettlePayerId, SettleStatus } from '../../lib/temporal/search-attributes';
import { reconnectionWait } from '../support/reconnection';
import { serial } from '../support/serial';
import { bankDebitSettlementWorkflow } from './bank-debit-settlement-workflow';
import {
  applyQuoteSurchargeUpdate,
  beginCheckoutUpdate,
  cancelUpdate,
  completeCheckoutUpdate,
  downpaymentInvoiceSyncedSignal,
  FINAL_STATUSES,
  PAYABLE_STATUSES,
  quotePaymentStateQuery,
  quoteWithdrawnSignal,
  retryPostingSignal,
  retryUpdate,
  settlementNewsSignal,
  settlementWorkflowId,
  DEFAULT_SETTLEMENT_TIMING,
  type SettlementNews,
  type QuotePaymentInput,
  type QuotePaymentState,
  type QuotePaymentStatus,
} from './definitions';

const retry = { initialInterval: '1 second', maximumInterval: '1 minute' } as const;

export async function quotePaymentWorkflow(input: QuotePaymentInput): Promise<QuotePaymentState> {
  const taskQueue = workflowInfo().taskQueue;
  // Payer actions and their postings use the wise-pay connection; the downpayment invoice arrives through PSA
  // sync, so looking for it and allocating to it use the company connection.
  // Accounting activities heartbeat every 2 s: a dead worker's posting is retried within 10 s.
  // While the books are disconnected, posting waits for the merchant to reconnect them (the payer's money is never
  // refused for it), then posts once; runs started before retry an unavailable connection every minute, as they did.
  const reconnect = reconnectionWait(input.merchantId, patched('wait-for-reconnection'));
  const accounting = { startToCloseTimeout: '2 minutes', heartbeatTimeout: '10 seconds', retry } as const;
  const wisePay = proxyActivities<activities.Activities>({ taskQueue: accountingQueueFor(taskQueue, 'wise-pay'), startToCloseTimeout: '1 minute', retry });
  const books = reconnect.proxy({ taskQueue: accountingQueueFor(taskQueue, 'wise-pay'), ...accounting });
  const company = reconnect.proxy({ taskQueue: accountingQueueFor(taskQueue, 'company'), ...accounting });
  const notify = proxyActivities<activities.Activities>({
    taskQueue: accountingQueueFor(taskQueue, 'wise-pay'), startToCloseTimeout: '1 minute',
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 hour', maximumAttempts: 30 },
  });
  const { merchantId, quotePaymentId, timing } = input;

  const state: QuotePaymentState = {
    quotePaymentId, quoteId: input.quoteId, revision: input.revision, amountMinor: input.amountMinor, currency: input.currency,
    hasRecurring: Boolean(input.recurring), methods: input.methods, status: 'awaiting-checkout', attempt: 0,
  };
  const exclusive = serial();
  let lastTouched = Date.now();
  let withdrawn: string | undefined;
  let downpaymentHint = false;
  let retryPosting = false;

  // Persist, then publish: once the query (or Temporal's list) shows a status, Postgres has it too.
  const save = async (status: QuotePaymentStatus) => {
    await wisePay.saveQuotePaymentState({ merchantId, state: { ...state, status } });
    state.status = status;
    upsertSearchAttributes([{ key: SettleStatus, value: status }]);
  };
  const inCheckout = () => PAYABLE_STATUSES.includes(state.status);
  const releaseCheckout = async (status: 'cancelled' | 'abandoned') => {
    if (state.status === 'checkout-open' && state.paymentIntentId) await wisePay.cancelQuotePaymentIntent({ paymentIntentId: state.paymentIntentId, merchantId });
    await save(status);
  };

  setHandler(quotePaymentStateQuery, () => ({ ...state, waitingForConnection: reconnect.waiting }));
  setHandler(
    beginCheckoutUpdate,
    (req) =>
      exclusive(async () => {
        // Changed while queued behind another step. A handler fails an update only with an ApplicationFailure
        // (a plain Error would fail the workflow task instead).
        if (!inCheckout()) throw ApplicationFailure.nonRetryable(`the quote payment is ${state.status}; it cannot be paid now`, 'InvalidState');
        if (state.status === 'checkout-open' && state.paymentIntentId) {
          await wisePay.cancelQuotePaymentIntent({ paymentIntentId: state.paymentIntentId, merchantId });
        }
        state.attempt++;
        Object.assign(state, { checkout: req.checkout, payerId: req.payerId, method: req.method, failure: undefined, surcharge: undefined });
        if (req.payerId) upsertSearchAttributes([{ key: SettlePayerId, value: req.payerId }]);
        const { paymentIntentId } = await wisePay.createQuotePaymentIntent({ quotePaymentId, attempt: state.attempt, method: req.method, payerId: req.payerId });
        state.paymentIntentId = paymentIntentId;
        lastTouched = Date.now();
        await save('checkout-open');
        return { paymentIntentId };
      }),
    {
      validator: (req) => {
        if (!inCheckout()) throw new Error(`the quote payment is ${state.status}; it cannot be paid now`);
        if (!checkoutChoices(state.hasRecurring).includes(req.checkout)) {
          throw new Error('this quote has a recurring portion: log in or register to save a payment method');
        }
        if ((req.checkout === 'payer') !== Boolean(req.payerId)) throw new Error('a payer checkout names the payer; a guest checkout does not');
        const allowed = offeredMethods({ merchant: input.methods, cpq: input.methods, currency: input.currency, checkout: req.checkout });
        if (!allowed.includes(req.method)) throw new Error(`${req.method} is not offered for this quote (offered: ${allowed.join(', ') || 'none'})`);
      },
    },
  );
  setHandler(
    completeCheckoutUpdate,
    ({ paymentIntentId }) =>
      exclusive(async () => {
        // A second completion (the payer reloads the page) finds the first one's result.
        if (state.status !== 'checkout-open' || paymentIntentId !== state.paymentIntentId) return state;
        const read = await wisePay.readQuotePaymentIntent({ quotePaymentId, paymentIntentId });
        lastTouched = Date.now();
        if (read.outcome === 'succeeded') {
          state.paidAt = new Date().toISOString();
          await save('paid');
        } else if (read.outcome === 'processing') {
          await save('processing');
        } else if (read.outcome === 'failed') {
          state.failure = read.failure;
          await save('failed');
        }
        return state;
      }),
    { validator: ({ paymentIntentId }) => { if (!state.paymentIntentId || paymentIntentId !== state.paymentIntentId) throw new Error('not this quote payment\'s payment'); } },
  );
  // A new update: runs that never receive it replay as before; it only changes the open intent (issue 27).
  setHandler(applyQuoteSurchargeUpdate, ({ paymentMethodId }) => exclusive(async () => {
    if (state.status !== 'checkout-open' || !state.paymentIntentId) return state; // paid or ended meanwhile: the page shows where it stands
    state.surcharge = await wisePay.applyQuoteSurcharge({ merchantId, quotePaymentId, paymentIntentId: state.paymentIntentId, paymentMethodId,
      amountMinor: input.amountMinor, currency: input.currency });
    lastTouched = Date.now();
    return state;
  }), { validator: ({ paymentMethodId }) => {
    if (state.status !== 'checkout-open') throw new Error(`the quote payment is ${state.status}; a surcharge is only worked out while a checkout is open`);
    if (state.method !== 'card') throw new Error('only card payments are surcharged');
    if (!/^pm_[A-Za-z0-9_]{1,255}$/.test(paymentMethodId)) throw new Error('not a payment method id');
  } });
  setHandler(retryUpdate, () => exclusive(async () => {
    if (state.status === 'failed') {
      lastTouched = Date.now();
      await save('awaiting-checkout');
    }
    return state;
  }), { validator: () => { if (state.status !== 'failed' && state.status !== 'awaiting-checkout') throw new Error(`the quote payment is ${state.status}; only a failed payment can be retried`); } });
  setHandler(cancelUpdate, (_req) => exclusive(async () => {
    if (!inCheckout()) throw ApplicationFailure.nonRetryable(`the quote payment is ${state.status}; only an unpaid quote payment can be cancelled`, 'InvalidState');
    await releaseCheckout('cancelled');
    return state;
  }), { validator: (_req) => { if (!inCheckout()) throw new Error(`the quote payment is ${state.status}; only an unpaid quote payment can be cancelled`); } });
  setHandler(quoteWithdrawnSignal, ({ reason }) => void (withdrawn = reason));
  setHandler(downpaymentInvoiceSyncedSignal, () => void (downpaymentHint = true));
  setHandler(retryPostingSignal, () => void (retryPosting = true));

  /** Runs a posting step until it succeeds; a refusal raises a merchant action and waits for retryPosting. */
  async function post<T>(what: string, step: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        const result = await step();
        state.postingProblem = undefined;
        return result;
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        state.postingProblem = `${what}: ${err.cause?.message ?? err.message}`;
        await wisePay.raiseMerchantAction({ merchantId, kind: 'quote-posting-failed', subject: quotePaymentId,
          detail: `Quote ${input.quoteId} was paid but ${what} failed: ${state.postingProblem}. Fix it, then retry posting.` });
        retryPosting = false;
        await condition(() => retryPosting);
      }
    }
  }

  // What each bank-debit attempt's settlement reported, by payment: its outcome, then perhaps a return.
  const settlementNews = new Map<string, SettlementNews>();
  let settlementOpen = false;
  setHandler(settlementNewsSignal, (news) => void settlementNews.set(news.paymentIntentId, news));
  const returned = () => settlementNews.get(state.paymentIntentId ?? '')?.outcome === 'returned';
  const notifications: Promise<unknown>[] = [];

  for (;;) {
    // Checkout: until the money is collected (or a debit submitted), cancelled, withdrawn or abandoned.
    while (inCheckout()) {
      const touched = lastTouched;
      const progressed = await condition(() => !inCheckout() || withdrawn !== undefined || lastTouched !== touched,
        Math.max(1, touched + timing.abandonAfterMs - Date.now()));
      await exclusive(async () => {
        if (!inCheckout()) return;
        if (withdrawn !== undefined) await releaseCheckout('cancelled');
        else if (!progressed) await releaseCheckout('abandoned');
      });
    }
    if (FINAL_STATUSES.includes(state.status)) {
      await Promise.all(notifications);
      return state;
    }

    // Card charges go to the merchant's Stripe clearing account (emptied by the payout's deposit), not the bank.
    const intoClearing = state.status === 'paid' && patched('quote-payments-into-clearing');
    const booked = await post('posting the payment', () =>
      books.bookQuotePayment({ merchantId, quotePaymentId, attempt: state.attempt, settled: state.status === 'paid', ...(intoClearing ? { intoClearing } : {}) }));
    Object.assign(state, booked);
    // The card surcharge (issue 27) is its own invoice to the quote's customer, paid from what was charged on top of
    // the quote; the PF invoice and credit note keep the quote's amount exactly. Only payments with one (so runs from
    // before, which never had one, replay as they ran).
    if (state.status === 'paid' && state.surcharge && state.surcharge.surchargeMinor > 0 && patched('quote-surcharges')) {
      const { surchargeMinor } = state.surcharge;
      const posted = await post('posting the card surcharge', () => books.postPaymentSurcharge({ merchantId, quotePaymentId, contactId: state.contactId, surchargeMinor,
        currency: input.currency, invoiceIds: [], invoiceNumbers: [`quote ${input.quoteId}`], paidOn: (state.paidAt ?? new Date().toISOString()).slice(0, 10),
        reference: `Quote ${input.quoteId} surcharge` }));
      state.surchargeSync = posted.status;
    }
    if (state.status === 'processing') {
      await wisePay.saveQuotePaymentState({ merchantId, state });
      const paymentIntentId = state.paymentIntentId!;
      const settlement = await startChild(bankDebitSettlementWorkflow, {
        workflowId: settlementWorkflowId(merchantId, paymentIntentId),
        args: [{ merchantId, quotePaymentId, quoteId: input.quoteId, attempt: state.attempt, paymentIntentId, scheme: bankDebitScheme(input.currency)!,
          invoiceId: state.invoice!.id, creditNoteId: state.creditNote!.id, timing: input.settlementTiming ?? DEFAULT_SETTLEMENT_TIMING }],
      });
      settlementOpen = true;
      void settlement.result().then(() => void (settlementOpen = false), () => void (settlementOpen = false));
      await condition(() => settlementNews.has(paymentIntentId));
      const news = settlementNews.get(paymentIntentId)!;
      if (news.outcome === 'failed') {
        // The settlement removed the draft; the payer may retry, and a retry gets a new draft.
        Object.assign(state, { creditNote: undefined, failure: news.failure ?? 'the bank debit failed' });
        lastTouched = Date.now();
        await save('failed');
        continue;
      }
      Object.assign(state, { creditNote: { ...state.creditNote!, approved: true }, paidAt: new Date().toISOString(), returnWindowEndsAt: news.returnWindowEndsAt });
    }

    if (input.recurring && state.payerId) await wisePay.saveRecurringAgreement({ quotePaymentId, paymentIntentId: state.paymentIntentId!, contactId: state.contactId });
    await save('awaiting-downpayment-invoice');
    // The merchant's webhook may be down for a while: keep trying for about a day alongside reconciliation, then
    // tell the merchant instead of holding the quote payment open.
    notifications.push(notify.notifyPrepaymentProcessed({ merchantId, quotePaymentId, attempt: state.attempt }).catch(() =>
      wisePay.raiseMerchantAction({ merchantId, kind: 'notification-undelivered', subject: quotePaymentId,
        detail: `The "Prepayment Processed Successfully" notification for quote ${input.quoteId} could not be delivered; check the webhook URL.` })));

    await reconcileDownpayment();
    // A bank debit can still be returned until its return window closes.
    await condition(() => !settlementOpen || returned());
    if (returned()) {
      // The settlement took the credit note back out of the books: the quote is payable again ("Pay Quote").
      const failure = settlementNews.get(state.paymentIntentId!)!.failure;
      Object.assign(state, { creditNote: undefined, downpaymentInvoiceId: undefined, paidAt: undefined, returnWindowEndsAt: undefined, failure });
      lastTouched = Date.now();
      await save('failed');
      continue;
    }
    await Promise.all(notifications);
    return state;
  }

  /** Allocates the credit note to the PSA's downpayment invoice once it is synced (or gives up, with an action). */
  async function reconcileDownpayment(): Promise<void> {
    const waitingSince = Date.now();
    while (!returned()) {
      downpaymentHint = false;
      const invoice = await company.lookForDownpaymentInvoice({
        merchantId, quoteId: input.quoteId, contactId: state.contactId!, currency: input.currency, ownInvoiceId: state.invoice?.id,
      });
      if (returned()) return;
      if (invoice) {
        const amountMinor = downpaymentAllocationMinor(input.amountMinor, invoice.amountDueMinor);
        await post('allocating the credit note to the downpayment invoice', () => company.allocateCreditNote({
          merchantId, operation: `downpayment-allocation-${state.attempt}`, creditNoteId: state.creditNote!.id,
          allocation: { invoiceId: invoice.id, amountMinor, date: new Date().toISOString().slice(0, 10) },
        }));
        state.downpaymentInvoiceId = invoice.id;
        await save('reconciled');
        return;
      }
      const left = waitingSince + timing.downpaymentGiveUpAfterMs - Date.now();
      if (left <= 0) {
        await wisePay.raiseMerchantAction({ merchantId, kind: 'downpayment-invoice-missing', subject: quotePaymentId,
          detail: `No downpayment invoice for quote ${input.quoteId} reached the accounting package; apply its credit note by hand.` });
        return;
      }
      await condition(() => downpaymentHint || returned(), Math.min(timing.downpaymentCheckEveryMs, left));
    }
  }
}
