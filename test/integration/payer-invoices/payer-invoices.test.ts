// Payers' invoices and automatic payments on the real dev server, Postgres and the Xero and Stripe emulators:
// terms set up from a quote, the payer's listing from Settle's copy, the refresh (a second click joins the first),
// and the daily run: an invoice due today is charged once and posted once even when the run is triggered twice;
// an invoice partly paid by hand is charged the rest; not-yet-due, over-maximum and revoked terms are not charged.
import { randomBytes } from 'node:crypto';
import { autoPaymentScheduleId, invoiceAutoPaymentWorkflowId, type InvoiceAutoPaymentState } from '../../../workflows/auto-payments/definitions';
import { accountingRefreshWorkflowId } from '../../../workflows/accounting-data/definitions';
import { eventually } from '../../support/eventually';
import { recordHistory } from '../../support/histories';
import { invoiceFor, payerWithTerms } from '../../support/payer-invoices';
import { setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';

let world: QuoteWorld;
let m: QuoteMerchant;
beforeAll(async () => {
  world = await startQuoteWorld();
  m = await setUpQuoteMerchant(world);
  expect((await m.merchant('PUT', '/v1/merchant/auto-payments', { body: { attempts: 3, retryDays: 3 } })).status).toBe(200);
});
afterAll(() => world.close());

const today = () => new Date().toISOString().slice(0, 10);
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const chargesFor = (invoiceId: string) => [...world.stripe.emu.state.all()].flatMap((a) => [...a.paymentIntents.values()]).filter((i) => i.metadata?.settle_invoice_id === invoiceId);

/** Triggers the merchant's daily run through its Schedule and waits for it. */
async function runToday() {
  const schedule = world.stack.client.schedule.getHandle(autoPaymentScheduleId(m.merchantId));
  const before = (await schedule.describe()).info.recentActions.length;
  await schedule.trigger();
  const actions = await eventually('the schedule starts a run', async () => (await schedule.describe()).info.recentActions, (a) => a.length > before);
  runHandle = world.stack.client.workflow.getHandle(actions[actions.length - 1].action.workflow.workflowId);
  return runHandle.result();
}
let runHandle: ReturnType<QuoteWorld['stack']['client']['workflow']['getHandle']>;
const autoPayment = (invoiceId: string) => world.stack.client.workflow.getHandle(invoiceAutoPaymentWorkflowId(m.merchantId, invoiceId));

it('sets up billing terms from a quote with its customer\'s contact, editable by the merchant and revocable', async () => {
  const p = await payerWithTerms(world, m, '250.00');
  const listed = await m.merchant('GET', `/v1/billing-terms?payerId=${p.payerId}`);
  expect(listed.body.terms).toEqual([expect.objectContaining({ id: p.termsId, contactId: p.contactId, rule: 'due-date', maxAmount: '250.00', currency: 'USD', status: 'active', source: 'cpq-quote' })]);
  const edited = await m.merchant('PUT', `/v1/billing-terms/${p.termsId}`, { body: { rule: 'days-after-invoice', daysAfter: 7, maxAmount: '400.00' } });
  expect(edited.body).toMatchObject({ rule: 'days-after-invoice', daysAfter: 7, maxAmount: '400.00' });
  expect((await m.merchant('PUT', `/v1/billing-terms/${p.termsId}`, { body: { rule: 'days-after-invoice', maxAmount: '1.00' } })).status).toBe(400);
  expect((await m.merchant('POST', `/v1/billing-terms/${p.termsId}/revoke`)).body.status).toBe('revoked');
  expect((await m.merchant('PUT', `/v1/billing-terms/${p.termsId}`, { body: { rule: 'due-date', maxAmount: '1.00' } })).status).toBe(409);
});

it('lists a payer\'s outstanding invoices after a refresh, and a second click joins the running refresh', async () => {
  const p = await payerWithTerms(world, m);
  const a = await invoiceFor(world, p.contactId, 12_000, inDays(10));
  const b = await invoiceFor(world, p.contactId, 3_400, inDays(20));
  const [first, second] = await Promise.all([m.merchant('POST', '/v1/accounting/refresh'), m.merchant('POST', '/v1/accounting/refresh')]);
  expect([first.status, second.status]).toEqual([202, 202]);
  const handle = world.stack.client.workflow.getHandle(accountingRefreshWorkflowId(m.merchantId));
  const runs = new Set<string>();
  for await (const w of world.stack.client.workflow.list({ query: `WorkflowId = '${accountingRefreshWorkflowId(m.merchantId)}'` })) runs.add(w.runId);
  expect(runs.size).toBe(1);
  await handle.result();
  const progress = await m.merchant('GET', '/v1/accounting/refresh');
  expect(progress.body).toMatchObject({ status: 'done', pages: expect.any(Number) });
  expect(progress.body.invoices).toBeGreaterThanOrEqual(2);
  await recordHistory(handle, 'accountingRefreshWorkflow');

  const listing = await m.merchant('GET', `/v1/payers/${p.payerId}/invoices`);
  expect(listing.body.outstanding.map((i: { id: string; amountDue: string }) => [i.id, i.amountDue])).toEqual([[a.id, '120.00'], [b.id, '34.00']]);

  // Paid by hand in Xero: the next refresh re-reads it and the listing drops it.
  await world.xero.platform.createPayments([{ invoiceId: a.id, amountMinor: 12_000, date: today(), accountCode: '090' }], `hand-${randomBytes(6).toString('hex')}`);
  await m.merchant('POST', '/v1/accounting/refresh');
  await eventually('the refresh finishes', () => m.merchant('GET', '/v1/accounting/refresh'), (r) => r.body.status === 'done' && r.body.rechecked >= 1);
  const after = await m.merchant('GET', `/v1/payers/${p.payerId}/invoices`);
  expect(after.body.outstanding.map((i: { id: string }) => i.id)).toEqual([b.id]);
});

it('charges an invoice due today once and posts it once, even when the run is triggered twice', async () => {
  const p = await payerWithTerms(world, m);
  const inv = await invoiceFor(world, p.contactId, 30_000, today());
  const later = await invoiceFor(world, p.contactId, 5_000, inDays(5));
  const [r1, r2] = [await runToday(), await runToday()];
  expect(r1.started + r2.started).toBeGreaterThanOrEqual(1);
  const state = await autoPayment(inv.id).result() as InvoiceAutoPaymentState;
  expect(state).toMatchObject({ status: 'paid', attempt: 1, amountMinor: 30_000, sync: 'synced' });
  const third = await runToday();
  expect(third.started).toBe(0);
  expect(chargesFor(inv.id)).toHaveLength(1);
  expect(world.xero.ledger().paymentsOf(inv.id).map((x) => x.amountCents)).toEqual([30_000]);
  expect(world.xero.ledger().invoices.get(inv.id)!.status).toBe('PAID');
  expect(chargesFor(later.id)).toHaveLength(0);
  const listing = await m.merchant('GET', `/v1/payers/${p.payerId}/invoices`);
  expect(listing.body.payments).toEqual([expect.objectContaining({ id: state.paymentId, amount: '300.00', channel: 'auto_payment', invoices: [inv.id], syncStatus: 'synced' })]);
  await recordHistory(autoPayment(inv.id), 'invoiceAutoPaymentWorkflow');
  await recordHistory(runHandle, 'autoPaymentRunWorkflow');
});

it('charges the rest of an invoice paid in part by hand, and never a revoked payer or more than the maximum', async () => {
  const part = await payerWithTerms(world, m);
  const inv = await invoiceFor(world, part.contactId, 20_000, today());
  await world.xero.platform.createPayments([{ invoiceId: inv.id, amountMinor: 15_000, date: today(), accountCode: '090' }], `hand-${randomBytes(6).toString('hex')}`);
  const big = await payerWithTerms(world, m, '100.00');
  const tooBig = await invoiceFor(world, big.contactId, 10_001, today());
  const revoked = await payerWithTerms(world, m);
  const untouched = await invoiceFor(world, revoked.contactId, 1_000, today());
  await m.merchant('POST', `/v1/billing-terms/${revoked.termsId}/revoke`);

  await runToday();
  expect(await autoPayment(inv.id).result()).toMatchObject({ status: 'paid', amountMinor: 5_000 });
  expect(chargesFor(inv.id).map((i) => i.amount)).toEqual([5_000]);
  expect(world.xero.ledger().invoices.get(inv.id)!.status).toBe('PAID');
  expect(chargesFor(tooBig.id)).toHaveLength(0);
  expect(chargesFor(untouched.id)).toHaveLength(0);
  const actions = (await m.merchant('GET', '/v1/actions')).body.actions as Array<{ kind: string; subject: string }>;
  expect(actions).toContainEqual(expect.objectContaining({ kind: 'auto-payment-over-maximum', subject: tooBig.id }));
});
