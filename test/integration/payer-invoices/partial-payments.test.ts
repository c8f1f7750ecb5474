// Part payments on the Pay Now invoice pages (issue 27), in Xero and in QuickBooks (emulators), against the real stack
// (Temporal, Postgres, workers, API) and the Stripe emulator. The merchant allows part payments (at least 10.00): a
// payer pays 50.00 of a 120.00 invoice, then the rest; the invoice is paid exactly, with two payments in the books
// (each keyed by its own checkout, so the second is not taken for a retry of the first). An amount above the balance
// or below the minimum, or part of an invoice where the merchant takes invoices in full, is refused with the reason
// (422, the page or problem+json) and nothing is started or charged.
import { idempotencyKey } from '../../../lib/idempotency';
import { taskQueueName } from '../../../lib/task-queues';
import { invoiceReminderStateQuery, invoiceReminderWorkflowId } from '../../../workflows/reminders/definitions';
import { invoiceReminderWorkflow } from '../../../workflows/reminders/invoice-reminder-workflow';
import { invoicePaymentWorkflowId, type InvoicePaymentState } from '../../../workflows/invoice-payments/definitions';
import { recordHistory } from '../../support/histories';
import { invoicesFor, quickBooksPayingWorld, signedInPayer, xeroPayingWorld, type PayingWorld, type SignedInPayer } from '../../support/refunds';

describe.each([['Xero', xeroPayingWorld], ['QuickBooks', quickBooksPayingWorld]] as const)('part payments in %s', (name, start) => {
  let w: PayingWorld;
  let base: string;
  beforeAll(async () => {
    w = await start();
    base = `/pay/m/${w.m.merchantId}/invoices`;
    expect((await w.m.merchant('PUT', '/v1/merchant/settings/partial-payments', { body: { enabled: true, minimumMinor: 10_00 } })).status).toBe(200);
  });
  afterAll(() => w?.close());

  const intents = () => [...w.world.stripe.emu.state.all()].flatMap((a) => [...a.paymentIntents.values()]);
  const intentsOf = (checkoutId: string) => intents().filter((i) => i.metadata?.settle_checkout_id === checkoutId);
  const workflowOf = (checkoutId: string) => w.world.stack.client.workflow.getHandle(invoicePaymentWorkflowId(w.m.merchantId, checkoutId));
  const heldClaims = (invoiceId: string) => w.world.stack.db.selectFrom('invoice_payment_claims').select('checkout_id').where('invoice_id', '=', invoiceId).where('released_at', 'is', null).execute();
  const copyOf = (invoiceId: string) => w.world.stack.db.selectFrom('accounting_invoices').select(['amount_due_minor', 'status']).where('id', '=', invoiceId).executeTakeFirstOrThrow();

  /** "Pay selected" with these fields; the checkout it opened and its workflow's final state, once paid by card. */
  async function pay(p: SignedInPayer, invoiceId: string, amount?: string): Promise<{ checkoutId: string; state: InvoicePaymentState; page: string }> {
    const opened = await p.b.post(`${base}/pay`, [['invoice', invoiceId], ['method', 'card'], ...(amount !== undefined ? [[`amount-${invoiceId}`, amount] as [string, string]] : [])]);
    expect(opened).toMatchObject({ status: 303, location: expect.stringMatching(/\/checkouts\/chk_[0-9a-f]{24}$/) });
    const checkoutId = /\/checkouts\/(chk_[0-9a-f]{24})$/.exec(opened.location)![1];
    const at = `${base}/checkouts/${checkoutId}`;
    const checkout = await p.b.get(at);
    const confirmed = await p.b.post(`${at}/sandbox-confirm`, { payment_method: 'pm_card_visa' });
    expect(confirmed.status).toBe(303);
    const back = await p.b.get(confirmed.location);
    expect(back).toMatchObject({ status: 303, location: `${base}?checkout=${checkoutId}` });
    const state = await workflowOf(checkoutId).result() as InvoicePaymentState;
    return { checkoutId, state, page: `${checkout.text}\n${(await p.b.get(back.location)).text}` };
  }

  it('posts a part payment for the amount paid, the invoice stays owed for the rest; paying the rest pays it exactly', async () => {
    const p = await signedInPayer(w.world, w.m);
    const [invoiceId] = await invoicesFor(w.world, w.m, p, [120_00]);
    // The invoice's reminders (as the daily run starts them), the first a month away: a part payment leaves them
    // waiting, paying the rest ends them at once (Settle reads the invoice settled and signals them).
    const dueDate = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const reminders = await w.world.stack.client.workflow.start(invoiceReminderWorkflow, { workflowId: invoiceReminderWorkflowId(w.m.merchantId, invoiceId),
      taskQueue: taskQueueName(w.world.stack.taskQueuePrefix, 'workflows'), args: [{ merchantId: w.m.merchantId, invoiceId, dueDate, timezone: 'UTC', offsets: [-3, 0] }] });
    const list = await p.b.get(base);
    expect(list.text).toContain(`name="amount-${invoiceId}"`);
    expect(list.text).toContain('at least 10.00 USD');

    const first = await pay(p, invoiceId, '50.00');
    expect(first.page).toContain('50.00 USD');
    expect(first.page).toContain('Thank you: your payment of 50.00 USD for invoice');
    expect(first.state).toMatchObject({ status: 'paid', sync: 'synced', amountMinor: 50_00, invoices: [{ invoiceId, amountMinor: 50_00, amountDueMinor: 120_00 }] });
    expect(intentsOf(first.checkoutId)).toEqual([expect.objectContaining({ amount: 50_00, status: 'succeeded' })]);
    // The books: 50.00 posted against the invoice, 70.00 still owed, the invoice still open.
    expect(w.paymentsOf(invoiceId)).toEqual([50_00]);
    expect(await w.world.books.getInvoice(invoiceId)).toMatchObject({ totalMinor: 120_00, amountDueMinor: 70_00, status: 'authorised' });
    expect(await copyOf(invoiceId)).toEqual({ amount_due_minor: 70_00, status: 'authorised' });
    expect(await heldClaims(invoiceId)).toEqual([]);
    const payment = await w.world.stack.db.selectFrom('payments').selectAll().where('id', '=', first.state.paymentId!).executeTakeFirstOrThrow();
    expect(payment).toMatchObject({ amount_minor: 50_00, applications: [{ invoiceId, amountMinor: 50_00 }], sync_status: 'synced' });
    // The page offers what is left, as the amount to pay.
    const again = await p.b.get(base);
    expect(again.text).toContain(`value="${invoiceId}"`);
    expect(again.text).toContain('70.00 USD');

    expect(await reminders.query(invoiceReminderStateQuery)).toMatchObject({ status: 'waiting', next: -3 });

    // The rest: the amount shown is left as it is.
    const second = await pay(p, invoiceId, '70.00');
    expect(second.state).toMatchObject({ status: 'paid', sync: 'synced', amountMinor: 70_00 });
    expect(second.state.invoices[0].amountDueMinor).toBeUndefined(); // the whole balance: not a part payment
    expect(w.paymentsOf(invoiceId)).toEqual([50_00, 70_00]);
    expect(await w.world.books.getInvoice(invoiceId)).toMatchObject({ totalMinor: 120_00, amountDueMinor: 0, status: 'paid' });
    expect((await p.b.get(base)).text).not.toContain(`value="${invoiceId}"`);
    expect(await reminders.result()).toMatchObject({ status: 'stopped', reason: 'settled', sent: [] });
    // Each payment's write to the books is keyed by its own checkout's workflow, never by the invoice alone (the
    // emulators answer a key used again with the first answer, or refuse it for a different body: no second payment).
    const keys = [first, second].map((x) => idempotencyKey(invoicePaymentWorkflowId(w.m.merchantId, x.checkoutId), 'payment-upload'));
    expect(new Set(keys).size).toBe(2);
    const listing = await w.m.merchant('GET', `/v1/payers/${p.payer.payerId}/invoices`);
    expect(listing.body.payments.filter((x: { invoices: string[] }) => x.invoices.includes(invoiceId)).map((x: { amount: string }) => x.amount).sort()).toEqual(['50.00', '70.00']);
    // The payment's page: what each payment paid of the invoice, beside the invoice's total.
    const part = await w.m.merchant('GET', `/v1/payments/${first.state.paymentId}`);
    expect(part.body.invoices).toEqual([expect.objectContaining({ invoiceId, amount: '50.00', invoiceTotal: '120.00', partOfInvoice: true, number: expect.any(String) })]);
    const rest = await w.m.merchant('GET', `/v1/payments/${second.state.paymentId}`);
    expect(rest.body.invoices).toEqual([expect.objectContaining({ invoiceId, amount: '70.00', invoiceTotal: '120.00', partOfInvoice: true })]);
    if (name === 'Xero') await recordHistory(workflowOf(first.checkoutId), 'invoicePaymentWorkflow.partial');
  });

  it('refuses an amount above the balance, below the minimum or not a number: 422 with the reason, nothing started or charged', async () => {
    const p = await signedInPayer(w.world, w.m);
    const [invoiceId, small] = await invoicesFor(w.world, w.m, p, [80_00, 8_00]);
    const before = intents().length;
    const post = (id: string, amount: string, headers?: Record<string, string>) => p.b.post(`${base}/pay`, [['invoice', id], ['method', 'card'], [`amount-${id}`, amount]], headers);

    const above = await post(invoiceId, '80.01');
    expect(above.status).toBe(422);
    expect(above.headers.get('content-type')).toMatch(/^text\/html/);
    expect(above.text).toContain('That is more than is due: at most 80.00 USD.');
    expect(above.text).toContain('value="80.01"'); // what the payer typed, to correct
    const below = await post(invoiceId, '9.99');
    expect(below.status).toBe(422);
    expect(below.text).toContain('Pay at least 10.00 USD, or the full 80.00 USD.');
    expect((await post(invoiceId, 'ten dollars')).status).toBe(422);
    expect((await post(invoiceId, '0')).status).toBe(422);
    expect((await post(small, '5.00')).text).toContain('owes no more than the least part payment');
    // A client that asks for problem+json gets the reason as a problem.
    const problem = await post(invoiceId, '100.00', { accept: 'application/problem+json' });
    expect(problem.status).toBe(422);
    expect(problem.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(problem.text)).toMatchObject({ type: '/problems/partial-amount-invalid', status: 422, invoiceId,
      reason: expect.stringContaining('That is more than is due: at most 80.00 USD.') });

    expect(intents()).toHaveLength(before);
    expect(await heldClaims(invoiceId)).toEqual([]);
    expect(w.paymentsOf(invoiceId)).toEqual([]);
  });

  it('takes invoices in full only where the merchant has not allowed part payments', async () => {
    expect((await w.m.merchant('PUT', '/v1/merchant/settings/partial-payments', { body: { enabled: false, minimumMinor: 10_00 } })).status).toBe(200);
    try {
      const p = await signedInPayer(w.world, w.m);
      const [invoiceId] = await invoicesFor(w.world, w.m, p, [60_00]);
      expect((await p.b.get(base)).text).not.toContain(`name="amount-${invoiceId}"`);
      const refused = await p.b.post(`${base}/pay`, [['invoice', invoiceId], ['method', 'card'], [`amount-${invoiceId}`, '20.00']]);
      expect(refused.status).toBe(422);
      expect(refused.text).toContain('Invoices are paid in full here');
      expect(w.paymentsOf(invoiceId)).toEqual([]);
      const full = await pay(p, invoiceId);
      expect(full.state).toMatchObject({ status: 'paid', amountMinor: 60_00 });
      expect(w.paymentsOf(invoiceId)).toEqual([60_00]);
      expect((await w.m.merchant('GET', `/v1/payments/${full.state.paymentId}`)).body.invoices).toEqual([expect.objectContaining({ amount: '60.00', invoiceTotal: '60.00', partOfInvoice: false })]);
    } finally {
      await w.m.merchant('PUT', '/v1/merchant/settings/partial-payments', { body: { enabled: true, minimumMinor: 10_00 } });
    }
  });
});
