// Charges one invoice under its billing terms: check it is still owed (and how much) right before each attempt,
// charge the saved method off-session (key per invoice and attempt), post the payment against the invoice through
// the same activities as the payment workflow, and on a decline tell the payer and try again on the merchant's retry schedule.
import { patched, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { accountingQueueFor } from '../../lib/task-queues';
import { reconnectionWait } from '../support/reconnection';
import { invoiceAutoPaymentStateQuery, merchantToday, type InvoiceAutoPaymentInput, type InvoiceAutoPaymentState } from './definitions';

/** A bank debit is asked about once a day until the bank answers (Stripe reports within days). */
const BANK_DEBIT_CHECK = '1 day';

export async function invoiceAutoPaymentWorkflow(input: InvoiceAutoPaymentInput): Promise<InvoiceAutoPaymentState> {
  const { workflowId, taskQueue } = workflowInfo();
  const retry = { initialInterval: '1 second', maximumInterval: '1 minute' } as const;
  // Background work: the service connection's queue and rate budget; accounting activities heartbeat every 2 s.
  // While the books are disconnected the check and the posting wait for the merchant to reconnect them; runs started
  // before retry an unavailable connection every minute, as they did.
  const reconnect = reconnectionWait(input.merchantId, patched('wait-for-reconnection'));
  const service = reconnect.proxy({ taskQueue: accountingQueueFor(taskQueue, 'service'), startToCloseTimeout: '2 minutes', heartbeatTimeout: '10 seconds', retry });
  // Stripe and Postgres only (no accounting call, no heartbeat): a charge's retry after a lost answer reuses its key.
  const stripe = proxyActivities<activities.Activities>({ taskQueue: accountingQueueFor(taskQueue, 'service'), startToCloseTimeout: '1 minute', retry });
  const state: InvoiceAutoPaymentState = { status: 'checking', attempt: 0, failures: [] };
  setHandler(invoiceAutoPaymentStateQuery, () => ({ ...state, waitingForConnection: reconnect.waiting }));
  const { merchantId, invoiceId, termsId } = input;

  for (let attempt = 1; attempt <= input.maxAttempts; attempt++) {
    Object.assign(state, { attempt, status: 'checking' });
    const decision = await service.checkInvoiceForCharge({ merchantId, invoiceId, termsId, today: merchantToday(input.timezone, Date.now()) });
    if (!decision.charge) return Object.assign(state, { status: 'not-charged', reason: decision.detail });

    Object.assign(state, { status: 'charging', amountMinor: decision.amountMinor });
    const charged = await stripe.chargeInvoice({ merchantId, invoiceId, termsId, attempt, amountMinor: decision.amountMinor });
    let { outcome, failure } = charged;
    while (outcome === 'processing' || outcome === 'open') {
      state.status = 'processing';
      await sleep(BANK_DEBIT_CHECK);
      ({ outcome, failure } = await stripe.readAutoPaymentIntent({ merchantId, invoiceId, attempt, paymentIntentId: charged.paymentIntentId! }));
    }

    if (outcome === 'succeeded') {
      // Recorded and posted against the invoice like any payment (the same activities as the payment workflow),
      // here on the service connection; the upload's key derives from this workflow, so it posts once.
      const paymentId = charged.paymentId;
      await stripe.recordPayment({ paymentId, merchantId, amountMinor: decision.amountMinor, currency: input.currency, reference: `Automatic payment ${charged.paymentIntentId}`,
        channel: 'auto_payment', method: charged.method, applications: [{ invoiceId, amountMinor: decision.amountMinor }], payerId: input.payerId,
        stripePaymentIntentId: charged.paymentIntentId, workflowId });
      const sync = await service.uploadPayment({ merchantId, paymentId });
      return Object.assign(state, { status: 'paid', paymentId, sync: sync.status });
    }

    state.failures.push(failure ?? 'the payment failed');
    const lastAttempt = attempt === input.maxAttempts;
    await stripe.notifyAutoPaymentFailed({ merchantId, invoiceId, termsId, attempt, failure: failure ?? 'the payment failed', payNowUrl: input.payNowUrl, lastAttempt });
    if (!lastAttempt) {
      state.status = 'waiting-to-retry';
      await sleep(`${input.retryDays} days`);
    }
  }
  return Object.assign(state, { status: 'failed' });
}
