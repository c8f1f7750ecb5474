// BPAY and automatic payments with invoices a payer has paid part of on the Pay Now page (issue 27), on the real stack
// (Temporal, Postgres, workers, API, the merchant's Schedules) with the Xero and Stripe emulators: both go by what is
// still due, never the invoice's total. A BPAY payment larger than the rest pays the rest and the remainder is a
// prepayment (posting it against the total would over-pay the invoice, which Xero refuses); an automatic payment
// charges the rest, even when the invoice's total is over the payer's maximum per invoice and the rest is not.
import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { bpayScheduleId } from '../../../lib/schedules/bpay-upload';
import { autoPaymentScheduleId, invoiceAutoPaymentWorkflowId } from '../../../workflows/auto-payments/definitions';
import { invoicePaymentWorkflowId } from '../../../workflows/invoice-payments/definitions';
import { eventually } from '../../support/eventually';
import { setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';
import { signedInPayer, xeroBooks, type SignedInPayer } from '../../support/refunds';

let world: QuoteWorld;
let m: QuoteMerchant;
beforeAll(async () => {
  world = await startQuoteWorld();
  m = await setUpQuoteMerchant(world);
  expect((await m.merchant('PUT', '/v1/merchant/settings/partial-payments', { body: { enabled: true, minimumMinor: 10_00 } })).status).toBe(200);
});
afterAll(() => world.close());

const today = () => new Date().toISOString().slice(0, 10);
const ledger = () => world.xero.ledger();
const paymentsOf = (invoiceId: string) => ledger().paymentsOf(invoiceId).map((p) => p.amountCents);

async function invoice(contactId: string, amountMinor: number, currency: string) {
  return world.xero.platform.createInvoice({ contactId, date: today(), dueDate: today(), currency, status: 'authorised',
    lines: [{ description: 'Managed services', quantity: 1, unitAmountMinor: amountMinor, accountCode: '200', taxType: 'NONE' }] }, `inv-${randomBytes(8).toString('hex')}`);
}

/** The payer pays `amount` of the invoice by card on the Pay Now page; waits until it is in the books. */
async function payPart(p: SignedInPayer, invoiceId: string, amount: string): Promise<void> {
  const base = `/pay/m/${m.merchantId}/invoices`;
  expect((await m.merchant('POST', '/v1/accounting/refresh')).status).toBe(202);
  await eventually('the invoice is copied', () => world.stack.db.selectFrom('accounting_invoices').select('id').where('id', '=', invoiceId).executeTakeFirst(), Boolean);
  const opened = await p.b.post(`${base}/pay`, [['invoice', invoiceId], ['method', 'card'], [`amount-${invoiceId}`, amount]]);
  const checkoutId = /\/checkouts\/(chk_[0-9a-f]{24})$/.exec(opened.location)?.[1];
  if (!checkoutId) throw new Error(`pay: ${opened.status} ${opened.text.slice(0, 500)}`);
  const confirmed = await p.b.post(`${base}/checkouts/${checkoutId}/sandbox-confirm`, { payment_method: 'pm_card_visa' });
  await p.b.get(confirmed.location);
  expect(await world.stack.client.workflow.getHandle(invoicePaymentWorkflowId(m.merchantId, checkoutId)).result()).toMatchObject({ status: 'paid', sync: 'synced' });
}

/** Triggers one of the merchant's Schedules now and waits for the workflow it starts. */
async function runSchedule<T>(scheduleId: string): Promise<T> {
  const schedule = world.stack.client.schedule.getHandle(scheduleId);
  const before = (await schedule.describe()).info.recentActions.length;
  await schedule.trigger();
  const actions = await eventually(`${scheduleId} starts a run`, async () => (await schedule.describe()).info.recentActions, (a) => a.length > before);
  const handle: WorkflowHandle = world.stack.client.workflow.getHandle(actions[actions.length - 1].action.workflow.workflowId);
  return handle.result();
}

it('applies a BPAY payment to what is still due of a part-paid invoice, the remainder as a prepayment', async () => {
  expect((await m.merchant('PUT', '/v1/merchant/settings', { body: { timezone: 'Australia/Sydney' } })).status).toBe(200);
  const p = await signedInPayer(xeroBooks(world), m);
  // A customer of its own (AUD, paying by BPAY too), whose invoices the payer pays online.
  const contact = await world.xero.platform.createContact({ name: `BPAY Payer ${randomBytes(3).toString('hex')}` }, `ct-${randomBytes(8).toString('hex')}`);
  expect((await m.merchant('PUT', `/v1/payers/${p.payer.payerId}/contacts`, { body: { contactIds: [p.payer.contactId, contact.id] } })).status).toBe(200);
  const inv = await invoice(contact.id, 300_00, 'AUD');
  await payPart(p, inv.id, '100.00');
  expect(paymentsOf(inv.id)).toEqual([100_00]);

  const customer = await m.merchant('POST', '/v1/customers', { body: { customerReference: String(Date.now() % 1e9), name: 'Online and BPAY payer' } });
  expect(customer.status).toBe(201);
  expect((await m.merchant('PUT', `/v1/customers/${customer.body.id}/contact`, { body: { contactId: contact.id } })).status).toBe(200);
  const paid = await m.merchant('POST', '/v1/bpay/payments', { body: { customerReference: customer.body.customerReference, amount: '250.00', currency: 'AUD', paidDate: today() } });
  expect(paid.status).toBe(201);

  const night = await runSchedule<{ uploaded: number }>(bpayScheduleId(m.merchantId));
  expect(night).toMatchObject({ uploaded: 1 });
  const upload = (await m.merchant('GET', `/v1/bpay/payments/${paid.body.id}`)).body.upload;
  // 200.00 is what was due (300.00 less the 100.00 paid online), not the 300.00 total.
  expect(upload.applications.map((a: { invoiceId: string; amountMinor: number }) => [a.invoiceId, a.amountMinor])).toEqual([[inv.id, 200_00]]);
  expect(upload.prepayment.amountMinor).toBe(50_00);
  expect(paymentsOf(inv.id)).toEqual([100_00, 200_00]);
  expect(ledger().invoices.get(inv.id)!.status).toBe('PAID');
  expect([...ledger().bankTransactions.values()].filter((t) => t.contactId === contact.id && t.type === 'RECEIVE-PREPAYMENT').map((t) => t.totalCents)).toEqual([50_00]);
});

it('charges an automatic payment of what is still due of a part-paid invoice, within the maximum the total is over', async () => {
  expect((await m.merchant('PUT', '/v1/merchant/auto-payments', { body: { attempts: 3, retryDays: 3 } })).status).toBe(200);
  const p = await signedInPayer(xeroBooks(world), m); // billing terms up to 300.00 per invoice
  const inv = await invoice(p.payer.contactId, 400_00, 'USD');
  await payPart(p, inv.id, '150.00');
  expect(paymentsOf(inv.id)).toEqual([150_00]);

  await runSchedule(autoPaymentScheduleId(m.merchantId));
  const state = await world.stack.client.workflow.getHandle(invoiceAutoPaymentWorkflowId(m.merchantId, inv.id)).result();
  expect(state).toMatchObject({ status: 'paid', amountMinor: 250_00, sync: 'synced' });
  const charges = [...world.stripe.emu.state.all()].flatMap((a) => [...a.paymentIntents.values()]).filter((i) => i.metadata?.settle_invoice_id === inv.id);
  expect(charges.map((i) => [i.amount, i.status])).toEqual([[250_00, 'succeeded']]);
  expect(paymentsOf(inv.id)).toEqual([150_00, 250_00]);
  expect(ledger().invoices.get(inv.id)!.status).toBe('PAID');
  const actions = (await m.merchant('GET', '/v1/actions')).body.actions as Array<{ kind: string; subject: string }>;
  expect(actions).not.toContainEqual(expect.objectContaining({ kind: 'auto-payment-over-maximum', subject: inv.id }));
});
