// One bank-debit attempt from submission to the end of its return window, as a child of its quote payment.
//
// The debit takes days: the draft credit note waits for Stripe's outcome (webhooks, as signals). Past the scheme's
// settlement window (ACH 4, BECS 3 business days) it asks Stripe instead of waiting forever, and tells the merchant
// if Stripe still does not know. Success approves the credit note and pays the quote payment invoice (into the Stripe
// clearing account, which the payout empties); failure removes the draft. After success the workflow stays for the
// return window on a durable timer (no polling): a return or dispute in that time takes the credit note back out of
// the books (after removing its allocation to the downpayment invoice) and makes the quote payable again. Each step
// is told to the parent quote payment.
import { condition, getExternalWorkflowHandle, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { addBusinessDays } from '../../lib/quotes/settlement';
import { accountingQueueFor } from '../../lib/task-queues';
import { reconnectionWait } from '../support/reconnection';
import {
  debitOutcomeSignal,
  debitReturnedSignal,
  settlementNewsSignal,
  settlementStateQuery,
  type SettlementInput,
  type SettlementNews,
  type SettlementState,
} from './definitions';

const retry = { initialInterval: '1 second', maximumInterval: '1 minute' } as const;

export async function bankDebitSettlementWorkflow(input: SettlementInput): Promise<SettlementState> {
  const taskQueue = workflowInfo().taskQueue;
  const payments = proxyActivities<activities.Activities>({ taskQueue: accountingQueueFor(taskQueue, 'wise-pay'), startToCloseTimeout: '1 minute', retry });
  // While the books are disconnected, settling (or withdrawing) the credit note waits for the merchant to reconnect
  // them; runs started before retry every minute, as they did.
  const reconnect = reconnectionWait(input.merchantId, patched('wait-for-reconnection'));
  const books = reconnect.proxy({
    taskQueue: accountingQueueFor(taskQueue, 'wise-pay'), startToCloseTimeout: '2 minutes', heartbeatTimeout: '10 seconds', retry,
  });
  const { merchantId, paymentIntentId, timing } = input;

  const state: SettlementState = { status: 'awaiting-outcome' };
  let outcome: { outcome: 'succeeded' | 'failed'; failure?: string } | undefined;
  let returned: { reason: string } | undefined;
  setHandler(settlementStateQuery, () => ({ ...state, waitingForConnection: reconnect.waiting }));
  // The first outcome wins: a `succeeded` after a `payment_failed` (events out of order) changes nothing.
  setHandler(debitOutcomeSignal, (o) => void (outcome ??= o));
  setHandler(debitReturnedSignal, (r) => void (returned ??= r));

  const parent = workflowInfo().parent;
  const tell = async (news: SettlementNews) => {
    if (parent) await getExternalWorkflowHandle(parent.workflowId, parent.runId).signal(settlementNewsSignal, news);
  };

  // Webhooks can beat this workflow's start; Postgres kept what they said.
  const early = await payments.recordedDebitEvents({ merchantId, paymentIntentId });
  outcome ??= early.outcome;
  returned ??= early.returned;

  let lookupAt = addBusinessDays(Date.now(), timing.settlementBusinessDays[input.scheme]);
  while (!outcome) {
    state.lookupAt = new Date(lookupAt).toISOString();
    if (await condition(() => outcome !== undefined, Math.max(1, lookupAt - Date.now()))) break;
    const read = await payments.readQuotePaymentIntent({ quotePaymentId: input.quotePaymentId, paymentIntentId });
    if (read.outcome === 'succeeded' || read.outcome === 'failed') {
      outcome ??= { outcome: read.outcome, failure: read.failure };
      break;
    }
    if (!state.outcomeUnknownActionRaised) {
      await payments.raiseMerchantAction({ merchantId, kind: 'bank-debit-outcome-unknown', subject: paymentIntentId,
        detail: `The bank debit for quote ${input.quoteId} has not settled in ${timing.settlementBusinessDays[input.scheme]} business days and Stripe still reports it processing. Settle keeps checking daily.` });
      state.outcomeUnknownActionRaised = true;
    }
    lookupAt = Date.now() + timing.recheckEveryMs;
  }
  state.lookupAt = undefined;

  const decided: { outcome: 'succeeded' | 'failed'; failure?: string } = outcome!;
  if (decided.outcome === 'failed') {
    await books.withdrawCreditNote({ merchantId, creditNoteId: input.creditNoteId });
    Object.assign(state, { status: 'failed', failure: decided.failure ?? 'the bank debit failed' });
    await tell({ paymentIntentId, outcome: 'failed', failure: state.failure });
    return state;
  }

  // Into the Stripe clearing account, as card charges are: the debit's money reaches the bank in a payout, whose
  // deposit moves it from clearing. Settlements that ran before kept paying into the bank account.
  const intoClearing = patched('quote-bank-debits-into-clearing');
  await books.settleQuoteBankDebit({ merchantId, quotePaymentId: input.quotePaymentId, attempt: input.attempt, invoiceId: input.invoiceId, creditNoteId: input.creditNoteId,
    ...(intoClearing ? { intoClearing } : {}) });
  Object.assign(state, { status: 'in-return-window', returnWindowEndsAt: new Date(Date.now() + timing.returnWindowMs).toISOString() });
  await tell({ paymentIntentId, outcome: 'succeeded', returnWindowEndsAt: state.returnWindowEndsAt });

  if (!(await condition(() => returned !== undefined, timing.returnWindowMs))) {
    state.status = 'settled';
    return state;
  }
  const reason = returned!.reason;
  await books.withdrawCreditNote({ merchantId, creditNoteId: input.creditNoteId });
  await payments.recordActivity({ merchantId, kind: 'bank-debit-returned', subject: input.quotePaymentId, dedupe: paymentIntentId,
    detail: `The bank debit for quote ${input.quoteId} (attempt ${input.attempt}) was returned after it settled (${reason}). Its credit note was taken back out of the books; the quote can be paid again.` });
  await payments.raiseMerchantAction({ merchantId, kind: 'bank-debit-returned', subject: paymentIntentId,
    detail: `The bank debit for quote ${input.quoteId} was returned (${reason}). The payer can pay the quote again from Pay Now.` });
  Object.assign(state, { status: 'returned', failure: `the bank debit was returned (${reason})` });
  await tell({ paymentIntentId, outcome: 'returned', failure: state.failure });
  return state;
}
