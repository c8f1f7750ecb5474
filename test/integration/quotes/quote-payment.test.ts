// The QuotePayment workflow end to end on real Temporal and Postgres, through the CPQ and merchant API, with the
// payer's side driven by the workflow's updates (what the Pay Now pages send) and Stripe's side confirmed on the
// Stripe emulator (what Stripe.js does in the browser). The books are checked in the Xero emulator's ledger.
import { randomBytes } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { registerPayer } from '../../../db/payers';
import {
  beginCheckoutUpdate,
  completeCheckoutUpdate,
  downpaymentInvoiceSyncedSignal,
  type BeginCheckout,
  type QuotePaymentStatus,
} from '../../../workflows/quotes/definitions';
import { acceptBody, setUpQuoteMerchant, startQuoteWorld, untilQuoteStatus, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';
import { eventually } from '../../support/eventually';
import { recordHistory } from '../../support/histories';
import { startWebhookReceiver } from '../../support/stripe';
import { verifyWebhookSignature } from '../../../lib/crypto/webhook-signature';

let world: QuoteWorld;
let m: QuoteMerchant;

beforeAll(async () => {
  world = await startQuoteWorld();
  m = await setUpQuoteMerchant(world);
});
afterAll(() => world.close());

const handleOf = (view: { quoteId: string }, merchantId = m.merchantId) =>
  world.stack.client.workflow.getHandle(`quote-payment/${merchantId}/${view.quoteId}`);

async function accept(overrides: Record<string, unknown> = {}, merchant = m) {
  const res = await merchant.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody(overrides) });
  if (res.status !== 201) throw new Error(`accept failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The payer picks a method on Pay Now, Stripe.js confirms with a test payment method, the payer comes back. */
async function pay(view: { id: string; quoteId: string }, req: BeginCheckout, paymentMethod: string, merchant = m) {
  const handle = handleOf(view, merchant.merchantId);
  const { paymentIntentId } = await handle.executeUpdate(beginCheckoutUpdate, { args: [req] });
  await world.stripe.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: paymentMethod }, { stripeAccount: merchant.stripeAccountId }).catch((err) => {
    if (err?.type !== 'StripeCardError') throw err; // a decline is an answer, not an error
  });
  return handle.executeUpdate(completeCheckoutUpdate, { args: [{ paymentIntentId }] });
}

async function statusOf(view: { id: string }): Promise<QuotePaymentStatus> {
  return (await m.merchant('GET', `/v1/quote-payments/${view.id}`)).body.status;
}

/** Waits (bounded) for the workflow to reach a status it reaches on its own, in the background. */
const until = (view: { quoteId: string }, status: QuotePaymentStatus, merchant = m) => untilQuoteStatus(handleOf(view, merchant.merchantId), status);

const ledger = () => world.xero.ledger();
const pfDocuments = (contactId: string) => ({
  invoices: [...ledger().invoices.values()].filter((i) => i.contactId === contactId && i.reference === 'PF'),
  creditNotes: [...ledger().creditNotes.values()].filter((c) => c.contactId === contactId && c.reference === 'PF'),
});

describe('accepting a quote (CPQ)', () => {
  it('starts one workflow per quote: the same quote accepted twice is the same payment and link', async () => {
    const body = acceptBody();
    const first = await m.cpq('POST', '/v1/cpq/quote-payments', { body });
    const again = await m.cpq('POST', '/v1/cpq/quote-payments', { body });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.payNowUrl).toBe(first.body.payNowUrl);
    expect(first.body).toMatchObject({ status: 'awaiting-checkout', amount: '1250.00', currency: 'USD', methods: ['card', 'bank_debit'] });
    expect(first.body.payNowUrl).toMatch(new RegExp(`^${world.stack.api!.url}/pay/q/[A-Za-z0-9_-]{32}$`));
    const described = await handleOf(first.body).describe();
    expect(described.searchAttributes).toMatchObject({ SettleQuoteId: [body.quoteId], SettleMerchantId: [m.merchantId], SettleStatus: ['awaiting-checkout'] });
  });

  it('refuses the same quote id with another amount, a schedule, and a disabled integration or key', async () => {
    const body = acceptBody();
    await m.cpq('POST', '/v1/cpq/quote-payments', { body });
    const changed = await m.cpq('POST', '/v1/cpq/quote-payments', { body: { ...body, oneTime: { amount: '999.00', currency: 'USD' } } });
    expect(changed.status).toBe(409);
    expect(changed.body.type).toBe('/problems/quote-conflict');

    const scheduled = await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody({ schedule: { date: '2026-12-24' } }) });
    expect(scheduled.status).toBe(422);
    expect(scheduled.body).toMatchObject({ type: '/problems/scheduling-not-allowed' });

    expect((await m.cpq('POST', '/v1/cpq/quote-payments', { key: m.apiKey, body: acceptBody() })).status).toBe(403); // a merchant key, not CPQ's
    const other = await setUpQuoteMerchant(world);
    await other.merchant('PUT', '/v1/integrations/cpq', { body: { enabled: false, allowedMethods: ['card'] } });
    const disabled = await other.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody() });
    expect(disabled.status).toBe(403);
    expect(disabled.body.type).toBe('/problems/integration-disabled');
  });

  it('regenerating the CPQ key stops the old one at once; the key can be displayed again', async () => {
    const other = await setUpQuoteMerchant(world);
    expect((await other.merchant('GET', '/v1/integrations/cpq/api-key')).body.apiKey).toBe(other.cpqKey);
    const fresh = (await other.merchant('POST', '/v1/integrations/cpq/api-key')).body.apiKey;
    expect(fresh).not.toBe(other.cpqKey);
    expect((await other.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody() })).status).toBe(401);
    expect((await other.cpq('POST', '/v1/cpq/quote-payments', { key: fresh, body: acceptBody() })).status).toBe(201);
    const stored = await world.stack.db.selectFrom('cpq_integrations').selectAll().where('merchant_id', '=', other.merchantId).executeTakeFirstOrThrow();
    expect(stored.api_key_sealed).not.toContain(fresh);
  });

  it('offers only methods both the merchant and CPQ allow; none in common is a 422', async () => {
    const cardOnly = await setUpQuoteMerchant(world, { methods: ['card'], cpqMethods: ['card', 'bank_debit'] });
    const view = await accept({}, cardOnly);
    expect(view.methods).toEqual(['card']);
    const refused = world.stack.client.workflow.getHandle(`quote-payment/${cardOnly.merchantId}/${view.quoteId}`)
      .executeUpdate(beginCheckoutUpdate, { args: [{ checkout: 'guest', method: 'bank_debit' }] });
    await expect(refused).rejects.toThrow(WorkflowUpdateFailedError);

    const debitOnly = await setUpQuoteMerchant(world, { methods: ['card'], cpqMethods: ['bank_debit'] });
    const none = await debitOnly.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody() });
    expect(none.status).toBe(422);
    expect(none.body.type).toBe('/problems/no-payment-method');
  });
});

describe('card payments', () => {
  it('a guest pays by card: invoice and authorised credit note (reference PF) posted once, merchant notified', async () => {
    const receiver = await startWebhookReceiver();
    // A merchant of its own: the webhook receiver stops with this test.
    const notified = await setUpQuoteMerchant(world);
    try {
      const sub = await notified.merchant('PUT', '/v1/notifications/prepayment-processed', { body: { webhookUrl: receiver.url, email: 'ops@msp.example' } });
      const view = await accept({}, notified);
      const paid = await pay(view, { checkout: 'guest', method: 'card' }, 'pm_card_visa', notified);
      expect(paid.status).toBe('paid');
      const state = await until(view, 'awaiting-downpayment-invoice', notified);
      const { invoices, creditNotes } = pfDocuments(state.contactId!);
      expect(invoices).toHaveLength(1);
      expect(creditNotes).toHaveLength(1);
      expect(creditNotes[0]).toMatchObject({ status: 'AUTHORISED', totalCents: 125_000, currency: 'USD' });
      expect(invoices[0].status).toBe('PAID');
      expect(ledger().paymentsOf(invoices[0].id).map((p) => p.amountCents)).toEqual([125_000]);
      expect(state.creditNote).toMatchObject({ id: creditNotes[0].id, approved: true });

      // The webhook is signed with the merchant's secret and names no person.
      await eventually('the webhook arrived', async () => receiver.received.length, (n) => n > 0);
      const [delivery] = receiver.received;
      expect(JSON.parse(delivery.body)).toMatchObject({ type: 'prepayment.processed', data: { quoteId: view.quoteId, amount: '1250.00', creditNote: { id: creditNotes[0].id } } });
      const signature = String(delivery.headers['settle-signature']);
      expect(verifyWebhookSignature(sub.body.signingSecret, delivery.body, signature)).toBe(true);
      expect(verifyWebhookSignature('whsec_wrong', delivery.body, signature)).toBe(false);
      expect(delivery.body).not.toContain('dana@contoso.example');
      const emails = (await notified.merchant('GET', '/v1/outbox/emails')).body.emails;
      expect(emails.filter((e: { subject: string }) => e.subject.includes(view.quoteId))).toHaveLength(1);
      expect(sub.body.signingSecret).toMatch(/^whsec_/);
    } finally {
      await receiver.close();
    }
  });

  it('a declined card posts nothing and fails with the reason; a retry pays once', async () => {
    const view = await accept();
    const declined = await pay(view, { checkout: 'guest', method: 'card' }, 'pm_card_chargeDeclined');
    expect(declined.status).toBe('failed');
    expect(declined.failure).toMatch(/declined/i);
    expect([...ledger().creditNotes.values()].filter((c) => c.lines[0]?.description?.includes(view.quoteId))).toHaveLength(0);

    const retried = await pay(view, { checkout: 'guest', method: 'card' }, 'pm_card_visa');
    expect(retried).toMatchObject({ status: 'paid', attempt: 2 });
    const state = await until(view, 'awaiting-downpayment-invoice');
    expect(pfDocuments(state.contactId!).creditNotes).toHaveLength(1);
  });

  it('a second completion (the payer reloads the return page) changes nothing', async () => {
    const view = await accept();
    const handle = handleOf(view);
    const { paymentIntentId } = await handle.executeUpdate(beginCheckoutUpdate, { args: [{ checkout: 'guest', method: 'card' }] });
    await world.stripe.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: 'pm_card_visa' }, { stripeAccount: m.stripeAccountId });
    const [a, b] = await Promise.all([
      handle.executeUpdate(completeCheckoutUpdate, { args: [{ paymentIntentId }] }),
      handle.executeUpdate(completeCheckoutUpdate, { args: [{ paymentIntentId }] }),
    ]);
    expect([a.status, b.status]).toEqual(['paid', 'paid']);
    const state = await until(view, 'awaiting-downpayment-invoice');
    expect(pfDocuments(state.contactId!).creditNotes).toHaveLength(1);
    await expect(handle.executeUpdate(completeCheckoutUpdate, { args: [{ paymentIntentId: 'pi_someone_else' }] })).rejects.toThrow(WorkflowUpdateFailedError);
  });
});

describe('recurring portion', () => {
  it('needs a payer account (no guest), saves the method and sets up billing terms from the quote', async () => {
    const view = await accept({ recurring: { amount: '300.00', interval: 'month' } });
    await expect(handleOf(view).executeUpdate(beginCheckoutUpdate, { args: [{ checkout: 'guest', method: 'card' }] }))
      .rejects.toMatchObject({ cause: { message: expect.stringMatching(/log in or register/) } });

    const { payer } = await registerPayer(world.stack.db, world.stack.apiDeps.keyring, m.merchantId, { name: 'Dana Payer', email: `dana+${randomBytes(3).toString('hex')}@contoso.example`, phone: '+1 555 0100' });
    const paid = await pay(view, { checkout: 'payer', payerId: payer.id, method: 'card' }, 'pm_card_visa');
    expect(paid.status).toBe('paid');
    await until(view, 'awaiting-downpayment-invoice');
    const terms = await world.stack.db.selectFrom('billing_terms').selectAll().where('source_id', '=', view.id).execute();
    expect(terms).toEqual([expect.objectContaining({ payer_id: payer.id, rule: 'due-date', max_amount_minor: 30_000, interval: 'month', status: 'active' })]);
    const methods = await world.stack.db.selectFrom('payer_payment_methods').selectAll().where('payer_id', '=', payer.id).execute();
    expect(methods).toHaveLength(1);
    expect(methods[0].stripe_payment_method_id).toMatch(/^pm_/);
    // Saved for off-session use on the payer's Stripe customer.
    const intent = await world.stripe.stripe.paymentIntents.retrieve(paid.paymentIntentId!, {}, { stripeAccount: m.stripeAccountId });
    expect(intent.setup_future_usage).toBe('off_session');
    const past = await m.merchant('GET', `/v1/payers/${payer.id}/past-payments`);
    expect(past.body.payments).toEqual([expect.objectContaining({ quoteId: view.quoteId, amount: '1250.00', creditNote: expect.objectContaining({ id: paid.creditNote?.id ?? expect.any(String) }) })]);
  });
});

describe('bank debit', () => {
  it('posts a draft credit note while processing, approves it when the debit settles', async () => {
    const { payer } = await registerPayer(world.stack.db, world.stack.apiDeps.keyring, m.merchantId, { name: 'Bo Bank', email: `bo+${randomBytes(3).toString('hex')}@contoso.example` });
    const view = await accept();
    const submitted = await pay(view, { checkout: 'payer', payerId: payer.id, method: 'bank_debit' }, 'pm_usBankAccount');
    expect(submitted.status).toBe('processing');
    const drafted = await untilQuoteStatus(handleOf(view), 'processing', (s) => Boolean(s.creditNote));
    expect(ledger().creditNotes.get(drafted.creditNote!.id)!.status).toBe('DRAFT');
    expect(ledger().paymentsOf(drafted.invoice!.id)).toHaveLength(0);

    // The bank settles: Stripe's webhook reaches the settlement workflow, which approves the credit note.
    await world.stripe.emu.settle(drafted.paymentIntentId!, 'succeeded');
    const settled = await until(view, 'awaiting-downpayment-invoice');
    expect(ledger().creditNotes.get(settled.creditNote!.id)!.status).toBe('AUTHORISED');
    expect(ledger().paymentsOf(settled.invoice!.id).map((p) => p.amountCents)).toEqual([125_000]);
  });

  it('removes the draft when the debit fails; the payer can retry and gets a new draft', async () => {
    const { payer } = await registerPayer(world.stack.db, world.stack.apiDeps.keyring, m.merchantId, { name: 'Cy Fail', email: `cy+${randomBytes(3).toString('hex')}@contoso.example` });
    const view = await accept();
    await pay(view, { checkout: 'payer', payerId: payer.id, method: 'bank_debit' }, 'pm_usBankAccount');
    const { creditNote, paymentIntentId } = await untilQuoteStatus(handleOf(view), 'processing', (s) => Boolean(s.creditNote));
    const draftId = creditNote!.id;
    await world.stripe.emu.settle(paymentIntentId!, 'failed');
    const failed = await until(view, 'failed');
    expect(failed.failure).toMatch(/insufficient funds/i);
    expect(ledger().creditNotes.get(draftId!)!.status).toBe('DELETED');

    const again = await pay(view, { checkout: 'payer', payerId: payer.id, method: 'card' }, 'pm_card_visa');
    expect(again.status).toBe('paid');
    const done = await until(view, 'awaiting-downpayment-invoice');
    expect(done.creditNote!.id).not.toBe(draftId);
    await recordHistory(handleOf(view), 'quotePaymentWorkflow.bank-debit-failed-then-card');
  });
});

describe('downpayment reconciliation', () => {
  it('allocates the credit note to the PSA downpayment invoice once it is synced, and records it', async () => {
    const view = await accept();
    await pay(view, { checkout: 'guest', method: 'card' }, 'pm_card_visa');
    const state = await until(view, 'awaiting-downpayment-invoice');
    expect(await statusOf(view)).toBe('awaiting-downpayment-invoice');
    // The PSA's downpayment invoice reaches Xero (invoice sync), naming the quote.
    const downpayment = await world.xero.platform.createInvoice({
      contactId: state.contactId!, reference: `Downpayment ${view.quoteId}`, date: '2026-11-20', dueDate: '2026-11-30', currency: 'USD', status: 'authorised',
      lines: [{ description: 'Downpayment', quantity: 1, unitAmountMinor: 125_000, accountCode: '200', taxType: 'NONE' }],
    }, `dp-${view.quoteId}`);
    await handleOf(view).signal(downpaymentInvoiceSyncedSignal, { invoiceId: downpayment.id });
    const done = await handleOf(view).result();
    expect(done).toMatchObject({ status: 'reconciled', downpaymentInvoiceId: downpayment.id });
    expect(ledger().allocationsOf(state.creditNote!.id, 'creditNote').map((a) => [a.invoiceId, a.amountCents])).toEqual([[downpayment.id, 125_000]]);
    expect(ledger().invoices.get(downpayment.id)!.status).toBe('PAID');
    const row = await world.stack.db.selectFrom('quote_payments').selectAll().where('id', '=', view.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'reconciled', downpayment_invoice_id: downpayment.id });
    await recordHistory(handleOf(view), 'quotePaymentWorkflow');
    // Closed: the API answers from Postgres.
    expect((await m.merchant('GET', `/v1/quote-payments/${view.id}`)).body).toMatchObject({ status: 'reconciled', downpaymentInvoiceId: downpayment.id });
  });
});

describe('cancelling', () => {
  it('cancels an unpaid quote payment and releases its open payment; a paid one cannot be cancelled', async () => {
    const view = await accept();
    const { paymentIntentId } = await handleOf(view).executeUpdate(beginCheckoutUpdate, { args: [{ checkout: 'guest', method: 'card' }] });
    const cancelled = await m.merchant('POST', `/v1/quote-payments/${view.id}/cancel`, { body: { reason: 'customer changed their mind' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await world.stripe.stripe.paymentIntents.retrieve(paymentIntentId, {}, { stripeAccount: m.stripeAccountId })).status).toBe('canceled');

    const paidView = await accept();
    await pay(paidView, { checkout: 'guest', method: 'card' }, 'pm_card_visa');
    const refused = await m.merchant('POST', `/v1/quote-payments/${paidView.id}/cancel`, { body: { reason: 'too late' } });
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe('/problems/conflict');
  });

  it('a quote withdrawn in CPQ cancels its unpaid payment', async () => {
    const view = await accept();
    const res = await m.cpq('POST', `/v1/cpq/quote-payments/${view.quoteId}/events`, { body: { type: 'withdrawn' } });
    expect(res.status).toBe(200);
    expect((await handleOf(view).result()).status).toBe('cancelled');
  });

  it('another merchant cannot see or cancel the quote payment', async () => {
    const view = await accept();
    const other = await setUpQuoteMerchant(world);
    expect((await other.merchant('GET', `/v1/quote-payments/${view.id}`)).status).toBe(404);
    expect((await other.merchant('POST', `/v1/quote-payments/${view.id}/cancel`, { body: { reason: 'x' } })).status).toBe(404);
    expect((await other.cpq('GET', `/v1/cpq/quote-payments/${view.quoteId}`)).status).toBe(404);
  });
});
