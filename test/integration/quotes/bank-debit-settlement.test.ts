// Bank-debit settlement on real Temporal and Postgres: Stripe's webhooks (signed, recorded once, in any order) reach
// each attempt's settlement workflow; a debit returned within its window takes the credit note back out of the
// books (its downpayment allocation first) and makes the quote payable again; later returns are left to the
// merchant. The return window is shortened here; test/integration/quotes/settlement-time-skipping.test.ts runs
// the real 4-day and 60-day timers.
import { randomBytes } from 'node:crypto';
import type Stripe from 'stripe';
import { registerPayer } from '../../../db/payers';
import {
  beginCheckoutUpdate,
  completeCheckoutUpdate,
  downpaymentInvoiceSyncedSignal,
  quotePaymentStateQuery,
  settlementStateQuery,
  type QuotePaymentState,
  type QuotePaymentStatus,
} from '../../../workflows/quotes/definitions';
import { recordHistory } from '../../support/histories';
import { eventually } from '../../support/eventually';
import { acceptBody, setUpQuoteMerchant, startQuoteWorld, untilQuoteStatus, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';

const RETURN_WINDOW_MS = 4_000;
let world: QuoteWorld;
let m: QuoteMerchant;

beforeAll(async () => {
  world = await startQuoteWorld({ settlementTiming: { settlementBusinessDays: { ach: 4, becs: 3 }, recheckEveryMs: 86_400_000, returnWindowMs: RETURN_WINDOW_MS } });
  m = await setUpQuoteMerchant(world);
});
afterAll(() => world.close());

const quoteHandle = (quoteId: string) => world.stack.client.workflow.getHandle(`quote-payment/${m.merchantId}/${quoteId}`);
const settlementHandle = (pi: string) => world.stack.client.workflow.getHandle(`bank-debit-settlement/${m.merchantId}/${pi}`);
const ledger = () => world.xero.ledger();

const until = (quoteId: string, status: QuotePaymentStatus, extra?: (s: QuotePaymentState) => boolean) => untilQuoteStatus(quoteHandle(quoteId), status, extra);

/** A payer submits a bank debit for a new quote; resolves once the draft credit note is booked. */
async function submitDebit() {
  const { payer } = await registerPayer(world.stack.db, world.stack.apiDeps.keyring, m.merchantId, { name: 'Ada Debit', email: `ada+${randomBytes(4).toString('hex')}@example.com` });
  const view = (await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody() })).body;
  const handle = quoteHandle(view.quoteId);
  const { paymentIntentId } = await handle.executeUpdate(beginCheckoutUpdate, { args: [{ checkout: 'payer', payerId: payer.id, method: 'bank_debit' }] });
  await world.stripe.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: 'pm_usBankAccount' }, { stripeAccount: m.stripeAccountId });
  expect((await handle.executeUpdate(completeCheckoutUpdate, { args: [{ paymentIntentId }] })).status).toBe('processing');
  const drafted = await until(view.quoteId, 'processing', (s) => Boolean(s.creditNote));
  await eventually('settlement started', () => settlementHandle(paymentIntentId).describe().then(() => true, () => false), Boolean);
  return { view, payer, paymentIntentId, drafted };
}

/** Posts a Stripe event to the merchant's endpoint, signed as Stripe signs (or with another secret). */
async function deliver(event: object, secret = m.stripeWebhookSecret, signature?: string) {
  const payload = JSON.stringify(event);
  const header = signature ?? world.stripe.stripe.webhooks.generateTestHeaderString({ payload, secret });
  const res = await fetch(`${world.stack.api!.url}/webhooks/stripe/${m.merchantId}`, {
    method: 'POST', body: payload, headers: { 'content-type': 'application/json', ...(header ? { 'stripe-signature': header } : {}) },
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const eventFor = (type: string, object: object) => ({ id: `evt_${randomBytes(12).toString('hex')}`, object: 'event', type, created: Math.floor(Date.now() / 1000), data: { object } });

describe('the webhook endpoint', () => {
  it('refuses a forged or missing signature with a 400 and changes nothing', async () => {
    const { paymentIntentId, view } = await submitDebit();
    const intent = await world.stripe.stripe.paymentIntents.retrieve(paymentIntentId, {}, { stripeAccount: m.stripeAccountId });
    const forged = await deliver(eventFor('payment_intent.succeeded', { ...intent, status: 'succeeded' }), 'whsec_not_the_merchants');
    expect(forged.status).toBe(400);
    expect(forged.body.type).toBe('/problems/webhook-signature-invalid');
    expect((await deliver(eventFor('payment_intent.succeeded', intent), m.stripeWebhookSecret, '')).status).toBe(400);
    expect((await world.stack.db.selectFrom('stripe_events').selectAll().where('payment_intent_id', '=', paymentIntentId).where('type', '=', 'payment_intent.succeeded').execute())).toHaveLength(0);
    expect((await settlementHandle(paymentIntentId).query(settlementStateQuery)).status).toBe('awaiting-outcome');
    expect((await quoteHandle(view.quoteId).query(quotePaymentStateQuery)).status).toBe('processing');
  });

  it('acknowledges a replayed event once and ignores unknown types', async () => {
    const unknown = eventFor('customer.updated', { object: 'customer', id: 'cus_x' });
    expect(await deliver(unknown)).toEqual({ status: 200, body: { received: true, handling: 'ignored' } });
    expect(await deliver(unknown)).toEqual({ status: 200, body: { received: true, duplicate: true } });
  });

  it('applies the first outcome only: a succeeded after payment_failed is recorded and ignored', async () => {
    const { view, paymentIntentId, drafted } = await submitDebit();
    await world.stripe.emu.settle(paymentIntentId, 'failed');
    const failed = await until(view.quoteId, 'failed');
    expect(ledger().creditNotes.get(drafted.creditNote!.id)!.status).toBe('DELETED');
    const intent = await world.stripe.stripe.paymentIntents.retrieve(paymentIntentId, {}, { stripeAccount: m.stripeAccountId });
    const late = await deliver(eventFor('payment_intent.succeeded', { ...intent, status: 'succeeded', last_payment_error: null } as Stripe.PaymentIntent));
    expect(late.body.handling).toBe('recorded'); // its settlement is over: nothing to change
    expect((await quoteHandle(view.quoteId).query(quotePaymentStateQuery))).toMatchObject({ status: 'failed', failure: failed.failure });
    expect(ledger().paymentsOf(drafted.invoice!.id)).toHaveLength(0);
  });
});

describe('late rejection', () => {
  it('before allocation: voids the credit note, makes the quote payable again, logs and tells the merchant; a card retry pays', async () => {
    const { view, payer, paymentIntentId, drafted } = await submitDebit();
    await world.stripe.emu.settle(paymentIntentId, 'succeeded');
    const settled = await until(view.quoteId, 'awaiting-downpayment-invoice');
    expect(settled.returnWindowEndsAt).toBeDefined();
    expect(ledger().creditNotes.get(drafted.creditNote!.id)!.status).toBe('AUTHORISED');
    // The debit's money reaches the bank in a Stripe payout, as a card charge's does: the PF invoice is paid into the
    // Stripe clearing account (090 in Xero's demo chart), which the payout's deposit empties, not into the bank (091).
    expect(ledger().paymentsOf(drafted.invoice!.id).map((p) => [p.amountCents, p.accountCode])).toEqual([[125_000, '090']]);

    await world.stripe.emu.dispute(paymentIntentId);
    const returned = await until(view.quoteId, 'failed');
    expect(returned.failure).toMatch(/returned/);
    expect(ledger().creditNotes.get(drafted.creditNote!.id)!.status).toBe('VOIDED');
    const outstanding = (await m.merchant('GET', `/v1/payers/${payer.id}/outstanding`)).body.outstanding;
    expect(outstanding).toEqual([expect.objectContaining({ quoteId: view.quoteId, status: 'failed', actions: [{ label: 'Pay Quote', url: view.payNowUrl }] })]);
    const log = (await m.merchant('GET', '/v1/activity-log')).body.entries;
    expect(log.filter((e: { kind: string; subject: string }) => e.kind === 'bank-debit-returned' && e.subject === view.id)).toHaveLength(1);
    expect(JSON.stringify((await m.merchant('GET', '/v1/actions')).body)).toContain(`quote ${view.quoteId} was returned`);

    // Pay Quote: a new attempt against the same quote payment.
    const handle = quoteHandle(view.quoteId);
    const { paymentIntentId: second } = await handle.executeUpdate(beginCheckoutUpdate, { args: [{ checkout: 'payer', payerId: payer.id, method: 'card' }] });
    await world.stripe.stripe.paymentIntents.confirm(second, { payment_method: 'pm_card_visa' }, { stripeAccount: m.stripeAccountId });
    expect((await handle.executeUpdate(completeCheckoutUpdate, { args: [{ paymentIntentId: second }] })).status).toBe('paid');
    const repaid = await until(view.quoteId, 'awaiting-downpayment-invoice');
    expect(repaid.creditNote!.id).not.toBe(drafted.creditNote!.id);
    expect(ledger().creditNotes.get(repaid.creditNote!.id)!.status).toBe('AUTHORISED');
    expect((await m.merchant('GET', `/v1/payers/${payer.id}/outstanding`)).body.outstanding).toEqual([]);
    await recordHistory(settlementHandle(paymentIntentId), 'bankDebitSettlementWorkflow');

    // The first attempt's settlement is over: a second rejection of it changes no books, and the merchant is told.
    const before = JSON.stringify([...ledger().creditNotes.values()].map((c) => [c.id, c.status]));
    const intent = await world.stripe.stripe.paymentIntents.retrieve(paymentIntentId, {}, { stripeAccount: m.stripeAccountId });
    const again = await deliver(eventFor('charge.dispute.created', { object: 'dispute', id: 'dp_again', payment_intent: intent.id, reason: 'fraudulent' }));
    expect(again.body.handling).toBe('recorded');
    expect(JSON.stringify([...ledger().creditNotes.values()].map((c) => [c.id, c.status]))).toBe(before);
    expect(JSON.stringify((await m.merchant('GET', '/v1/actions')).body)).toContain('after Settle stopped watching it');
  });

  it('after allocation: removes the allocation first so the downpayment invoice is outstanding again; the retry allocates anew', async () => {
    const { view, payer, paymentIntentId, drafted } = await submitDebit();
    await world.stripe.emu.settle(paymentIntentId, 'succeeded');
    const settled = await until(view.quoteId, 'awaiting-downpayment-invoice');
    const downpayment = await world.xero.platform.createInvoice({
      contactId: settled.contactId!, reference: `Downpayment ${view.quoteId}`, date: '2026-11-20', dueDate: '2026-11-30', currency: 'USD', status: 'authorised',
      lines: [{ description: 'Downpayment', quantity: 1, unitAmountMinor: 125_000, accountCode: '200', taxType: 'NONE' }],
    }, `dp-${view.quoteId}`);
    await quoteHandle(view.quoteId).signal(downpaymentInvoiceSyncedSignal, { invoiceId: downpayment.id });
    await until(view.quoteId, 'reconciled');
    expect(ledger().invoices.get(downpayment.id)!.status).toBe('PAID');

    await world.stripe.emu.dispute(paymentIntentId);
    await until(view.quoteId, 'failed');
    expect(ledger().allocationsOf(drafted.creditNote!.id, 'creditNote')).toHaveLength(0);
    expect(ledger().creditNotes.get(drafted.creditNote!.id)!.status).toBe('VOIDED');
    expect(ledger().amountDue(ledger().invoices.get(downpayment.id)!)).toBe(125_000);

    const handle = quoteHandle(view.quoteId);
    const { paymentIntentId: second } = await handle.executeUpdate(beginCheckoutUpdate, { args: [{ checkout: 'payer', payerId: payer.id, method: 'card' }] });
    await world.stripe.stripe.paymentIntents.confirm(second, { payment_method: 'pm_card_visa' }, { stripeAccount: m.stripeAccountId });
    await handle.executeUpdate(completeCheckoutUpdate, { args: [{ paymentIntentId: second }] });
    const done = await handle.result();
    expect(done).toMatchObject({ status: 'reconciled', downpaymentInvoiceId: downpayment.id });
    expect(ledger().allocationsOf(done.creditNote!.id, 'creditNote').map((a) => [a.invoiceId, a.amountCents])).toEqual([[downpayment.id, 125_000]]);
    expect(ledger().invoices.get(downpayment.id)!.status).toBe('PAID');
    await recordHistory(handle, 'quotePaymentWorkflow.debit-returned-after-allocation');
  });

  it('after the return window: the books stay, the merchant gets an action, the quote payment is done', async () => {
    const { view, paymentIntentId } = await submitDebit();
    await world.stripe.emu.settle(paymentIntentId, 'succeeded');
    const settled = await until(view.quoteId, 'awaiting-downpayment-invoice');
    expect((await settlementHandle(paymentIntentId).result()).status).toBe('settled');
    expect(ledger().paymentsOf(settled.invoice!.id).map((p) => p.accountCode)).toEqual(['090']);
    await recordHistory(settlementHandle(paymentIntentId), 'bankDebitSettlementWorkflow.into-clearing');
    await world.stripe.emu.dispute(paymentIntentId);
    // The event's row is written before it is handled (so a redelivery is known at once): wait for the handling's
    // effect, the merchant's action, not for the row.
    await eventually('the late dispute raises an action', async () => JSON.stringify((await m.merchant('GET', '/v1/actions')).body),
      (actions) => actions.includes(`${view.id} was disputed or returned`));
    const events = await world.stack.db.selectFrom('stripe_events').select('handling')
      .where('merchant_id', '=', m.merchantId).where('payment_intent_id', '=', paymentIntentId).where('type', '=', 'charge.dispute.created').execute();
    expect(events).toEqual([{ handling: 'recorded' }]);
    expect(ledger().creditNotes.get(settled.creditNote!.id)!.status).toBe('AUTHORISED');
    expect((await quoteHandle(view.quoteId).query(quotePaymentStateQuery)).status).toBe('awaiting-downpayment-invoice');
  });
});
