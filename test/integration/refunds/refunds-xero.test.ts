// Refunds of Pay Now card payments against the real stack (Temporal, Postgres, workers, API) with the Stripe and Xero
// emulators: full and partial refunds reach Stripe on the merchant's account once per Idempotency-Key and are
// reversed in Xero once (a sales credit note refunded out of the clearing account); more than is left is a 422; a
// refund that fails at Stripe leaves a message and the books as they were; a refund made in the Stripe dashboard
// (charge.refunded on the Connect webhook) is reversed too, once even when Stripe delivers the event again. A quote
// payment (qp_…) is refunded through the same route, its card charge having been booked into the clearing account.
import { randomBytes } from 'node:crypto';
import { listOutboxEmails } from '../../../db/outbox';
import { taskQueueName } from '../../../lib/task-queues';
import { refundWorkflow } from '../../../workflows/refunds/refund-workflow';
import { refundStateQuery, refundWorkflowId, type RefundState } from '../../../workflows/refunds/definitions';
import { eventually } from '../../support/eventually';
import { httpClient } from '../../support/http';
import { createTestMerchant } from '../../support/merchants';
import { decodePayloadsInPlace, recordHistory } from '../../support/histories';
import { acceptBody, setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';
import { payInvoiceByCard, payQuoteByCard, xeroBooks } from '../../support/refunds';

let world: QuoteWorld;
let m: QuoteMerchant;

beforeAll(async () => {
  world = await startQuoteWorld({ connectWebhook: true });
  m = await setUpQuoteMerchant(world);
});
afterAll(() => world.close());

const refundHandle = (refundId: string) => world.stack.client.workflow.getHandle(refundWorkflowId(m.merchantId, refundId));
const stripeRefunds = (intentId: string) => [...world.stripe.emu.state.all()].flatMap((a) => [...a.refunds.values()]).filter((r) => r.payment_intent === intentId);
const creditNotesOf = (contactId: string) => [...world.xero.ledger().creditNotes.values()].filter((n) => n.contactId === contactId && n.reference?.startsWith('Refund '));
const refundPaymentsOf = (noteId: string) => [...world.xero.ledger().payments.values()].filter((p) => p.creditNoteId === noteId);

async function refund(paymentId: string, body: Record<string, unknown>, key?: string) {
  return m.merchant('POST', `/v1/payments/${paymentId}/refunds`, { body, ...(key ? { headers: { 'Idempotency-Key': key } } : {}) });
}

it('refunds a payment in full once per key: one Stripe refund on the merchant\'s account, one credit note refunded from clearing in Xero, the payer told', async () => {
  const paid = await payInvoiceByCard(xeroBooks(world), m, 12_000);
  const first = await refund(paid.paymentId, { reason: 'requested_by_customer' }, 'refund-full-1');
  expect(first.status).toBe(202);
  expect(first.body).toMatchObject({ paymentId: paid.paymentId, amount: '120.00', currency: 'USD', status: 'requested', origin: 'api' });
  const state = await refundHandle(first.body.id).result() as RefundState;
  expect(state).toMatchObject({ status: 'reversed', books: { status: 'reversed' } });

  const again = await refund(paid.paymentId, { reason: 'requested_by_customer' }, 'refund-full-1');
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ id: first.body.id, status: 'succeeded', books: { status: 'reversed' } });

  // Stripe: one refund, on the merchant's own account (never the platform's).
  expect(stripeRefunds(paid.paymentIntentId)).toEqual([expect.objectContaining({ amount: 12_000, status: 'succeeded' })]);
  expect([...world.stripe.emu.state.connectedAccount(m.stripeAccountId)!.refunds.values()].map((r) => r.payment_intent)).toContain(paid.paymentIntentId);
  // Xero: one ACCRECCREDIT for the amount, PAID by a refund payment out of the clearing account.
  const notes = creditNotesOf(paid.payer.contactId);
  expect(notes).toHaveLength(1);
  expect(notes[0]).toMatchObject({ type: 'ACCRECCREDIT', totalCents: 12_000, status: 'PAID' });
  expect(refundPaymentsOf(notes[0].id)).toEqual([expect.objectContaining({ amountCents: 12_000, accountCode: '090' })]);
  // Nothing is left to refund.
  const more = await refund(paid.paymentId, {});
  expect(more.status).toBe(422);
  expect(more.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(more.body).toMatchObject({ type: '/problems/refund-not-possible' });

  const emails = await listOutboxEmails(world.stack.db, world.stack.apiDeps.keyring, m.merchantId);
  expect(emails.filter((e) => e.template === 'refund-confirmation' && e.to === paid.payer.email)).toHaveLength(1);
  await recordHistory(refundHandle(first.body.id), 'refundWorkflow');
});

it('refunds in parts, never more than is left (422 problem+json, nothing stored)', async () => {
  const paid = await payInvoiceByCard(xeroBooks(world), m, 10_000);
  const part = await refund(paid.paymentId, { amount: '30.00' }, 'refund-part-1');
  expect(part.status).toBe(202);
  expect(await refundHandle(part.body.id).result()).toMatchObject({ status: 'reversed' });

  const tooMuch = await refund(paid.paymentId, { amount: '70.01' }, 'refund-part-2');
  expect(tooMuch.status).toBe(422);
  expect(tooMuch.body).toMatchObject({ type: '/problems/refund-not-possible', detail: expect.stringContaining('7000') });
  expect(await world.stack.db.selectFrom('payment_refunds').select('id').where('idempotency_key', '=', 'refund-part-2').execute()).toEqual([]);

  const rest = await refund(paid.paymentId, {}, 'refund-part-3');
  expect(rest.body).toMatchObject({ amount: '70.00' });
  expect(await refundHandle(rest.body.id).result()).toMatchObject({ status: 'reversed' });
  expect(stripeRefunds(paid.paymentIntentId).map((r) => r.amount).sort()).toEqual([3_000, 7_000]);
  const notes = creditNotesOf(paid.payer.contactId);
  expect(notes.map((n) => n.totalCents).sort()).toEqual([3_000, 7_000]);
  for (const n of notes) expect(refundPaymentsOf(n.id).map((p) => p.amountCents)).toEqual([n.totalCents]);

  // The payment's refunds, oldest first; another merchant cannot list them (404, as for the payment itself).
  const listed = await m.merchant('GET', `/v1/payments/${paid.paymentId}/refunds`);
  expect(listed.status).toBe(200);
  expect(listed.body.refunds.map((r: any) => [r.id, r.amount, r.status, r.books.status])).toEqual([
    [part.body.id, '30.00', 'succeeded', 'reversed'], [rest.body.id, '70.00', 'succeeded', 'reversed']]);
  const other = await createTestMerchant(world.stack, 'Other MSP');
  expect((await httpClient(world.stack.api!.url, other.apiKey)('GET', `/v1/payments/${paid.paymentId}/refunds`)).status).toBe(404);
});

it('leaves a message and the books unchanged when Stripe fails the refund', async () => {
  const paid = await payInvoiceByCard(xeroBooks(world), m, 5_000, 'pm_card_refundFail');
  const asked = await refund(paid.paymentId, {}, 'refund-fails-1');
  expect(asked.status).toBe(202);
  expect(await refundHandle(asked.body.id).result()).toMatchObject({ status: 'failed', failure: expect.any(String) });
  const view = await m.merchant('GET', `/v1/payments/${paid.paymentId}/refunds/${asked.body.id}`);
  expect(view.body).toMatchObject({ status: 'failed', books: { status: 'not-posted', records: [] } });
  expect(creditNotesOf(paid.payer.contactId)).toEqual([]);
  const messages = await world.stack.db.selectFrom('merchant_messages').selectAll().where('merchant_id', '=', m.merchantId).where('kind', '=', 'refund-failed').execute();
  expect(messages).toHaveLength(1);
  expect(messages[0].text).toContain(paid.paymentId);
  // The money is back on the charge: it can be refunded again.
  expect((await refund(paid.paymentId, { amount: '10.00' })).status).toBe(202);
  await recordHistory(refundHandle(asked.body.id), 'refundWorkflow.failed');
});

it('reverses a refund made in the Stripe dashboard, once even when charge.refunded arrives again', async () => {
  const paid = await payInvoiceByCard(xeroBooks(world), m, 8_000);
  await world.stripe.stripe.refunds.create({ payment_intent: paid.paymentIntentId, amount: 2_500 }, { stripeAccount: m.stripeAccountId });
  const row = await eventually('dashboard refund recorded', () => world.stack.db.selectFrom('payment_refunds').selectAll().where('payment_id', '=', paid.paymentId).execute(),
    (rows) => rows.length === 1 && rows[0].books_status === 'reversed', { timeoutMs: 30_000 });
  expect(row[0]).toMatchObject({ origin: 'dashboard', amount_minor: 2_500, status: 'succeeded' });
  const event = [...world.stripe.emu.state.all()].flatMap((a) => a.events).find((e) => e.type === 'charge.refunded' && (e.data.object as { payment_intent?: string }).payment_intent === paid.paymentIntentId)!;
  world.stripe.emu.resend(event.id);
  await world.stripe.emu.webhooks.idle();
  expect(await world.stack.db.selectFrom('payment_refunds').select('id').where('payment_id', '=', paid.paymentId).execute()).toHaveLength(1);
  expect(creditNotesOf(paid.payer.contactId).map((n) => [n.totalCents, n.status])).toEqual([[2_500, 'PAID']]);
  // What is left to refund counts the dashboard refund.
  expect((await refund(paid.paymentId, { amount: '55.01' })).status).toBe(422);
});

it('refunds a quote payment through the same route: its card charge was paid into clearing, the refund is one Stripe refund and one credit note refunded from clearing', async () => {
  const quote = await payQuoteByCard(world, m, '400.00');
  // The quote payment's PF invoice was paid into the Stripe clearing account (090 in Xero's demo chart).
  expect(world.xero.ledger().paymentsOf(quote.invoiceId).map((p) => [p.amountCents, p.accountCode])).toEqual([[40_000, '090']]);
  const history = await quote.handle.fetchHistory();
  await decodePayloadsInPlace(history, quote.handle.client.options.loadedDataConverter.payloadCodecs);
  const patches = history.events!.flatMap((e) => e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads ?? []).map((p) => Buffer.from(p.data ?? []).toString());
  expect(patches.some((p) => p.includes('quote-payments-into-clearing'))).toBe(true);
  await recordHistory(quote.handle, 'quotePaymentWorkflow.into-clearing');

  const first = await refund(quote.quotePaymentId, { amount: '150.00', reason: 'requested_by_customer' }, 'quote-refund-1');
  expect(first.status).toBe(202);
  expect(first.body).toMatchObject({ paymentId: quote.quotePaymentId, amount: '150.00', origin: 'api' });
  expect(first.headers.get('location')).toBe(`/v1/payments/${quote.quotePaymentId}/refunds/${first.body.id}`);
  expect(await refundHandle(first.body.id).result()).toMatchObject({ status: 'reversed', books: { status: 'reversed' } });
  const again = await refund(quote.quotePaymentId, { amount: '150.00', reason: 'requested_by_customer' }, 'quote-refund-1');
  expect(again).toMatchObject({ status: 200, body: { id: first.body.id, status: 'succeeded' } });
  const view = await m.merchant('GET', `/v1/payments/${quote.quotePaymentId}/refunds/${first.body.id}`);
  expect(view.body).toMatchObject({ id: first.body.id, paymentId: quote.quotePaymentId, books: { status: 'reversed' } });
  const listed = await m.merchant('GET', `/v1/payments/${quote.quotePaymentId}/refunds`);
  expect(listed.status).toBe(200);
  expect(listed.body.refunds.map((r: { id: string }) => r.id)).toEqual([first.body.id]);

  expect(stripeRefunds(quote.paymentIntentId)).toEqual([expect.objectContaining({ amount: 15_000, status: 'succeeded' })]);
  const notes = creditNotesOf(quote.contactId);
  expect(notes).toHaveLength(1);
  expect(notes[0]).toMatchObject({ totalCents: 15_000, status: 'PAID' });
  expect(refundPaymentsOf(notes[0].id)).toEqual([expect.objectContaining({ amountCents: 15_000, accountCode: '090' })]);
  // The PF credit note still credits the whole quote payment: the merchant is asked to adjust it.
  const actions = await world.stack.db.selectFrom('merchant_actions').selectAll().where('merchant_id', '=', m.merchantId).where('kind', '=', 'quote-refund-credit-note').execute();
  expect(actions.map((a) => a.subject)).toEqual([first.body.id]);
  // Never more than the quote payment took; an unknown quote payment id is a 404.
  expect((await refund(quote.quotePaymentId, { amount: '250.01' })).body).toMatchObject({ type: '/problems/refund-not-possible' });
  expect((await refund(`qp_${'0'.repeat(24)}`, {})).status).toBe(404);
});

it('refuses to refund a quote payment that was never paid', async () => {
  const accepted = await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody() });
  const unpaid = (await world.stack.db.selectFrom('quote_payments').select('id').where('merchant_id', '=', m.merchantId).where('quote_id', '=', accepted.body.quoteId).executeTakeFirstOrThrow()).id;
  const asked = await refund(unpaid, {});
  expect(asked.status).toBe(422);
  expect(asked.body).toMatchObject({ type: '/problems/refund-not-possible', detail: expect.stringContaining('not been paid') });
});

/** A refund of `paid` asked of the refund workflow directly, started as one whose week of checks ran out would be. */
async function refundPastItsWeek(paid: { paymentId: string }, amountMinor: number, watch: { maxWatchChecks?: number } = {}) {
  const refundId = `rfd_${randomBytes(12).toString('hex')}`;
  await world.stack.db.insertInto('payment_refunds').values({ id: refundId, merchant_id: m.merchantId, payment_id: paid.paymentId, idempotency_key: `pending-${refundId}`,
    amount_minor: amountMinor, currency: 'USD', origin: 'api' }).execute();
  const handle = await world.stack.client.workflow.start(refundWorkflow, { workflowId: refundWorkflowId(m.merchantId, refundId),
    taskQueue: taskQueueName(world.stack.taskQueuePrefix, 'workflows'), args: [{ merchantId: m.merchantId, refundId, paymentId: paid.paymentId, maxChecks: 0, ...watch }] });
  const action = () => world.stack.db.selectFrom('merchant_actions').selectAll().where('merchant_id', '=', m.merchantId).where('kind', '=', 'refund-pending').where('subject', '=', refundId).execute();
  return { refundId, handle, action };
}

it('raises an Action when a refund is still pending at Stripe after its week (here no wait at all), and answers it when the refund fails: books unchanged', async () => {
  // Stripe's refund-failure test card answers `pending` first, then fails.
  const paid = await payInvoiceByCard(xeroBooks(world), m, 4_000, 'pm_card_refundFail');
  const { refundId, handle, action } = await refundPastItsWeek(paid, 4_000);
  const raised = await eventually('the refund-pending Action', action, (rows) => rows.length === 1);
  expect(raised[0].detail).toContain(paid.paymentId);
  expect(raised[0].detail).toContain('still pending at Stripe');
  expect(raised[0].detail).toContain('Settle keeps watching it');
  // Settle watched on: Stripe's refund.failed ends it, the Action is answered and the books were never touched.
  expect(await handle.result()).toMatchObject({ status: 'failed' });
  expect((await action())[0].resolved_at).not.toBeNull();
  expect(await world.stack.db.selectFrom('payment_refunds').select(['status', 'books_status']).where('id', '=', refundId).executeTakeFirstOrThrow()).toEqual({ status: 'failed', books_status: 'not-posted' });
  expect(creditNotesOf(paid.payer.contactId)).toEqual([]);
  await recordHistory(handle, 'refundWorkflow.pending-action');
});

it('reverses a refund in the books when Stripe says it succeeded after the week\'s Action, and answers the Action', async () => {
  // Stripe's asynchronous-success test card: its refunds stay `pending` until they succeed "some time later".
  const paid = await payInvoiceByCard(xeroBooks(world), m, 6_000, 'pm_card_pendingRefund');
  const { refundId, handle, action } = await refundPastItsWeek(paid, 2_500);
  const raised = await eventually('the refund-pending Action', action, (rows) => rows.length === 1);
  expect(raised[0]).toMatchObject({ resolved_at: null, detail: expect.stringContaining('do not record it by hand') });
  expect(await handle.query(refundStateQuery)).toMatchObject({ status: 'pending' });
  expect(creditNotesOf(paid.payer.contactId)).toEqual([]);

  const [stripeRefund] = stripeRefunds(paid.paymentIntentId);
  expect(stripeRefund).toMatchObject({ status: 'pending', amount: 2_500 });
  await world.stripe.emu.settleRefund(stripeRefund.id);
  // refund.updated on the Connect webhook signals the workflow, which reads the refund and reverses it once.
  expect(await handle.result()).toMatchObject({ status: 'reversed' });
  expect(creditNotesOf(paid.payer.contactId).map((n) => [n.totalCents, n.status])).toEqual([[2_500, 'PAID']]);
  expect((await action())[0].resolved_at).not.toBeNull();
  expect(await world.stack.db.selectFrom('payment_refunds').select(['status', 'books_status']).where('id', '=', refundId).executeTakeFirstOrThrow()).toEqual({ status: 'succeeded', books_status: 'reversed' });
  await recordHistory(handle, 'refundWorkflow.pending-then-succeeded');
});

it('hands a refund still pending months later to the merchant: a message says so, the books stay as they are', async () => {
  const paid = await payInvoiceByCard(xeroBooks(world), m, 3_000, 'pm_card_pendingRefund');
  // No daily checks left after the week's Action: as a refund still pending after the months of watching would be.
  const { refundId, handle, action } = await refundPastItsWeek(paid, 3_000, { maxWatchChecks: 0 });
  expect(await handle.result()).toMatchObject({ status: 'outcome-unknown' });
  expect(await action()).toEqual([expect.objectContaining({ resolved_at: null })]);
  const messages = await world.stack.db.selectFrom('merchant_messages').select('text').where('merchant_id', '=', m.merchantId).where('kind', '=', 'refund-pending').execute();
  expect(messages.filter((x) => x.text.includes(paid.paymentId))).toEqual([{ text: expect.stringContaining('Settle stopped watching it and did not change the books') }]);
  expect(await world.stack.db.selectFrom('payment_refunds').select(['status', 'books_status']).where('id', '=', refundId).executeTakeFirstOrThrow()).toEqual({ status: 'requested', books_status: 'pending' });
  expect(creditNotesOf(paid.payer.contactId)).toEqual([]);
  await recordHistory(handle, 'refundWorkflow.stopped-watching');
});
