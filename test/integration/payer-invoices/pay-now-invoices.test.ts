// The payer's invoice pages (/pay/m/:merchantId/invoices) over HTTP, as a browser uses them, against the real stack
// (Temporal, Postgres, workers, API) with the Xero and Stripe emulators: sign in, list, pay two invoices in one
// checkout on the sandbox checkout, a tampered form, a declined card and its retry, and "Stop automatic payments".
import { checkoutOpenedUpdate, completeInvoiceCheckoutUpdate, invoicePaymentWorkflowId, type InvoicePaymentState } from '../../../workflows/invoice-payments/definitions';
import { invoicePaymentWorkflow } from '../../../workflows/invoice-payments/invoice-payment-workflow';
import { accountingRefreshWorkflowId } from '../../../workflows/accounting-data/definitions';
import { eventually } from '../../support/eventually';
import { formBrowser, type FormBrowser } from '../../support/form-browser';
import { recordHistory } from '../../support/histories';
import { invoiceFor, payerWithTerms, type PayerWithTerms } from '../../support/payer-invoices';
import { setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';

let world: QuoteWorld;
let m: QuoteMerchant;
let base: string;
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  world = await startQuoteWorld();
  m = await setUpQuoteMerchant(world);
  base = `/pay/m/${m.merchantId}/invoices`;
});
afterAll(() => world.close());

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const intents = () => [...world.stripe.emu.state.all()].flatMap((a) => [...a.paymentIntents.values()]);
const intentsOf = (checkoutId: string) => intents().filter((i) => i.metadata?.settle_checkout_id === checkoutId);
const checkoutOf = (location: string) => /\/checkouts\/(chk_[0-9a-f]{24})$/.exec(location)?.[1] ?? '';
const workflowOf = (checkoutId: string) => world.stack.client.workflow.getHandle(invoicePaymentWorkflowId(m.merchantId, checkoutId));
const heldClaims = (invoiceId: string) => world.stack.db.selectFrom('invoice_payment_claims').selectAll().where('invoice_id', '=', invoiceId).where('released_at', 'is', null).execute();

/** Settle's copy of the merchant's invoices, refreshed the way the merchant does it. */
async function refreshCopies() {
  expect((await m.merchant('POST', '/v1/accounting/refresh')).status).toBe(202);
  await world.stack.client.workflow.getHandle(accountingRefreshWorkflowId(m.merchantId)).result();
}

/** A payer with billing terms (from a quote) who set their password, signed in in their own browser. */
async function signedInPayer(): Promise<PayerWithTerms & { b: FormBrowser }> {
  const p = await payerWithTerms(world, m);
  const b = formBrowser(world.stack.api!.url);
  expect((await b.post('/pay/set-password', { token: p.passwordToken, password: PASSWORD, confirmation: PASSWORD })).status).toBe(303);
  expect(await b.post(`${base}/login`, { email: p.email, password: PASSWORD })).toMatchObject({ status: 303, location: base });
  return { ...p, b };
}

/** "Pay selected" for these invoices: the checkout's id (the page it sends the payer to). */
async function paySelected(b: FormBrowser, invoiceIds: string[], extra: Array<[string, string]> = [], method = 'card'): Promise<string> {
  const res = await b.post(`${base}/pay`, [...invoiceIds.map((id): [string, string] => ['invoice', id]), ['method', method], ...extra]);
  expect(res).toMatchObject({ status: 303, location: expect.stringMatching(/\/checkouts\/chk_[0-9a-f]{24}$/) });
  return checkoutOf(res.location);
}

/** Sandbox checkout → confirm → return → the invoice page: what the payer reads there. */
async function payOnCheckout(b: FormBrowser, checkoutId: string, testMethod: string): Promise<string> {
  const at = `${base}/checkouts/${checkoutId}`;
  expect((await b.get(at)).status).toBe(200);
  const confirmed = await b.post(`${at}/sandbox-confirm`, { payment_method: testMethod });
  expect(confirmed).toMatchObject({ status: 303, location: expect.stringMatching(new RegExp(`^${at}/return\\?payment_intent=pi_`)) });
  const back = await b.get(confirmed.location);
  expect(back).toMatchObject({ status: 303, location: `${base}?checkout=${checkoutId}` });
  return (await b.get(back.location)).text;
}

it('answers an unknown merchant with a 404 page and lets only a registered payer sign in', async () => {
  const b = formBrowser(world.stack.api!.url);
  const unknown = await b.get('/pay/m/mer_000000000000000000000000/invoices');
  expect(unknown.status).toBe(404);
  expect(unknown.headers.get('content-type')).toMatch(/^text\/html/);
  expect(unknown.text).toContain('This payment page does not exist');
  expect((await b.get('/pay/m/not-a-merchant/invoices')).status).toBe(404);

  const signIn = await b.get(base);
  expect(signIn.status).toBe(200);
  expect(signIn.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
  expect(signIn.text).toContain('id="login"');
  const p = await payerWithTerms(world, m);
  const wrong = await b.post(`${base}/login`, { email: p.email, password: 'no password set yet' });
  expect(wrong.status).toBe(401);
  expect(wrong.text).toContain('do not match an account');
  expect((await b.post(`${base}/login`, { email: p.email, password: PASSWORD }, { origin: 'https://evil.example' })).status).toBe(403);
  expect(b.jar.size).toBe(0);
});

it('pays two invoices at once by card: one Stripe charge, both paid in Xero, one payment in the listing', async () => {
  const p = await signedInPayer();
  const a = await invoiceFor(world, p.contactId, 12_000, inDays(10));
  const c = await invoiceFor(world, p.contactId, 3_400, inDays(20));
  await refreshCopies();

  const list = await p.b.get(base);
  expect(list.status).toBe(200);
  for (const inv of [a, c]) expect(list.text).toContain(`value="${inv.id}"`);
  expect(list.text).toContain('120.00 USD');
  expect(list.text).toContain('value="card"');
  expect(list.text).toContain('value="bank_debit"'); // the merchant takes bank debits, and USD has ACH
  expect(list.text).toContain('Stop automatic payments');

  const checkoutId = await paySelected(p.b, [a.id, c.id]);
  const checkout = await p.b.get(`${base}/checkouts/${checkoutId}`);
  expect(checkout.text).toContain('154.00 USD');
  expect(checkout.text).toContain('Card — succeeds');
  expect(await heldClaims(a.id)).toHaveLength(1);
  const after = await payOnCheckout(p.b, checkoutId, 'pm_card_visa');
  expect(after).toContain('Thank you: your payment of 154.00 USD');

  const state = await workflowOf(checkoutId).result() as InvoicePaymentState;
  expect(state).toMatchObject({ status: 'paid', amountMinor: 15_400, sync: 'synced' });
  expect(intentsOf(checkoutId)).toEqual([expect.objectContaining({ amount: 15_400, status: 'succeeded' })]);
  for (const [inv, cents] of [[a, 12_000], [c, 3_400]] as const) {
    expect(world.xero.ledger().invoices.get(inv.id)!.status).toBe('PAID');
    expect(world.xero.ledger().paymentsOf(inv.id).map((x) => x.amountCents)).toEqual([cents]);
    expect(await heldClaims(inv.id)).toEqual([]);
  }
  const listing = await m.merchant('GET', `/v1/payers/${p.payerId}/invoices`);
  expect(listing.body.payments).toContainEqual(expect.objectContaining({ id: state.paymentId, amount: '154.00', channel: 'pay_now', invoices: [a.id, c.id], syncStatus: 'synced' }));
  expect(listing.body.outstanding.map((i: { id: string }) => i.id)).not.toContain(a.id);
  const page = await p.b.get(base);
  expect(page.text).not.toContain(`value="${a.id}"`);
  expect(page.text).toContain('Past payments');
  await recordHistory(workflowOf(checkoutId), 'invoicePaymentWorkflow');
});

it('refuses a tampered form: another payer\'s invoice, a made-up id; an amount field is ignored; a second "Pay" is refused', async () => {
  const p = await signedInPayer();
  const other = await payerWithTerms(world, m);
  const mine = await invoiceFor(world, p.contactId, 5_000, inDays(5));
  const theirs = await invoiceFor(world, other.contactId, 7_000, inDays(5));
  await refreshCopies();
  const intentsBefore = intents().length;

  for (const ids of [[mine.id, theirs.id], [theirs.id], ['made-up-invoice']]) {
    const refused = await p.b.post(`${base}/pay`, [...ids.map((id): [string, string] => ['invoice', id]), ['method', 'card']]);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('not an outstanding invoice of yours');
  }
  expect(await heldClaims(theirs.id)).toEqual([]);
  expect(intents()).toHaveLength(intentsBefore);

  // An amount in the form is not read: the checkout charges what Xero says is due.
  const checkoutId = await paySelected(p.b, [mine.id], [['amount', '1.00'], ['amountMinor', '100']]);
  expect((await p.b.get(`${base}/checkouts/${checkoutId}`)).text).toContain('50.00 USD');
  expect(intentsOf(checkoutId)).toEqual([expect.objectContaining({ amount: 5_000 })]);
  // A second "Pay" for the same invoice (another tab) is refused while the first checkout is open.
  const twice = await p.b.post(`${base}/pay`, [['invoice', mine.id], ['method', 'card']]);
  expect(twice.status).toBe(409);
  expect(twice.text).toContain('already being paid');
  // Another payer cannot see or touch this checkout.
  const intruder = formBrowser(world.stack.api!.url);
  await intruder.post('/pay/set-password', { token: other.passwordToken, password: PASSWORD, confirmation: PASSWORD });
  await intruder.post(`${base}/login`, { email: other.email, password: PASSWORD });
  expect((await intruder.get(`${base}/checkouts/${checkoutId}`)).status).toBe(404);
  expect((await intruder.post(`${base}/checkouts/${checkoutId}/cancel`)).status).toBe(404);

  // The payer cancels: the intent is cancelled and the invoice can be paid again.
  expect((await p.b.get(base)).text).toContain('Continue paying');
  expect(await p.b.post(`${base}/checkouts/${checkoutId}/cancel`)).toMatchObject({ status: 303, location: `${base}?checkout=${checkoutId}` });
  expect(await workflowOf(checkoutId).result()).toMatchObject({ status: 'cancelled' });
  expect(intentsOf(checkoutId)).toEqual([expect.objectContaining({ status: 'canceled' })]);
  expect(await heldClaims(mine.id)).toEqual([]);
  expect((await p.b.get(base)).text).toContain(`value="${mine.id}"`);
  expect(world.xero.ledger().paymentsOf(mine.id)).toEqual([]);
});

it('shows a declined card\'s reason, and a retry pays once', async () => {
  const p = await signedInPayer();
  const inv = await invoiceFor(world, p.contactId, 9_900, inDays(3));
  await refreshCopies();
  const declinedCheckout = await paySelected(p.b, [inv.id]);
  const declined = await payOnCheckout(p.b, declinedCheckout, 'pm_card_chargeDeclined');
  expect(declined).toContain('Your payment did not go through: Your card was declined.');
  expect(declined).toContain(`value="${inv.id}"`); // selectable again at once
  expect(await workflowOf(declinedCheckout).result()).toMatchObject({ status: 'failed', failure: 'Your card was declined.' });
  expect(intentsOf(declinedCheckout)).toEqual([expect.objectContaining({ status: 'canceled' })]); // no late confirmation can charge it

  const retry = await paySelected(p.b, [inv.id]);
  expect(await payOnCheckout(p.b, retry, 'pm_card_visa')).toContain('Thank you: your payment of 99.00 USD');
  expect(await workflowOf(retry).result()).toMatchObject({ status: 'paid', sync: 'synced' });
  const succeeded = intents().filter((i) => i.metadata?.settle_payer_id === p.payerId && i.status === 'succeeded');
  expect(succeeded.map((i) => i.amount)).toEqual([9_900]);
  expect(world.xero.ledger().paymentsOf(inv.id).map((x) => x.amountCents)).toEqual([9_900]);
  // The return page reloaded: nothing is charged or posted again.
  await p.b.get(`${base}/checkouts/${retry}/return?payment_intent=${intentsOf(retry)[0].id}`);
  expect(world.xero.ledger().paymentsOf(inv.id)).toHaveLength(1);
});

it('takes a bank debit: processing, and the invoice stays held (not payable twice) while the bank answers', async () => {
  const p = await signedInPayer();
  const inv = await invoiceFor(world, p.contactId, 20_000, inDays(7));
  await refreshCopies();
  const checkoutId = await paySelected(p.b, [inv.id], [], 'bank_debit');
  const checkout = await p.b.get(`${base}/checkouts/${checkoutId}`);
  expect(checkout.text).toContain('value="pm_usBankAccount"');
  expect(checkout.text).not.toContain('Card — succeeds'); // the intent takes the chosen method only
  const after = await payOnCheckout(p.b, checkoutId, 'pm_usBankAccount');
  expect(after).toContain('Your bank debit of 200.00 USD for invoice');
  expect(after).not.toContain(`value="${inv.id}"`);
  expect(after).toContain('Payment in progress');
  expect(await workflowOf(checkoutId).query('invoicePaymentState')).toMatchObject({ status: 'processing' });
  expect(await heldClaims(inv.id)).toHaveLength(1);
  expect((await p.b.post(`${base}/pay`, [['invoice', inv.id], ['method', 'card']])).status).toBe(409);
  expect(world.xero.ledger().paymentsOf(inv.id)).toEqual([]); // posted only once Stripe says it succeeded
});

it('posts a bank debit once Stripe says it succeeded (checked on a short clock here), and releases a failed one', async () => {
  const p = await payerWithTerms(world, m);
  const [ok, bad] = [await invoiceFor(world, p.contactId, 4_200, inDays(7)), await invoiceFor(world, p.contactId, 1_300, inDays(7))];
  await refreshCopies();
  // Started as the page starts it, but with the bank asked every 200 ms instead of daily.
  const open = async (invoiceId: string, checkoutId: string) => {
    const handle = await world.stack.client.workflow.start(invoicePaymentWorkflow, {
      workflowId: invoicePaymentWorkflowId(m.merchantId, checkoutId), taskQueue: `${world.stack.taskQueuePrefix}.workflows`,
      args: [{ checkoutId, merchantId: m.merchantId, payerId: p.payerId, invoiceIds: [invoiceId], method: 'bank_debit',
        timing: { abandonAfterMs: 60_000, bankDebitCheckEveryMs: 200, bankDebitMaxChecks: 100 } }],
    });
    const { paymentIntentId } = await handle.executeUpdate(checkoutOpenedUpdate);
    await world.stripe.stripe.paymentIntents.confirm(paymentIntentId!, { payment_method: 'pm_usBankAccount' }, { stripeAccount: m.stripeAccountId });
    expect(await handle.executeUpdate(completeInvoiceCheckoutUpdate, { args: [{ paymentIntentId: paymentIntentId! }] })).toMatchObject({ status: 'processing' });
    return { handle, paymentIntentId: paymentIntentId! };
  };
  const settled = await open(ok.id, 'chk_b0000000000000000000000b');
  const failed = await open(bad.id, 'chk_f0000000000000000000000f');
  await world.stripe.emu.settle(settled.paymentIntentId, 'succeeded');
  await world.stripe.emu.settle(failed.paymentIntentId, 'failed');
  expect(await settled.handle.result()).toMatchObject({ status: 'paid', sync: 'synced', amountMinor: 4_200 });
  expect(world.xero.ledger().paymentsOf(ok.id).map((x) => x.amountCents)).toEqual([4_200]);
  expect(await heldClaims(ok.id)).toEqual([]);
  expect(await failed.handle.result()).toMatchObject({ status: 'failed' });
  expect(world.xero.ledger().paymentsOf(bad.id)).toEqual([]);
  expect(await heldClaims(bad.id)).toEqual([]);
  await recordHistory(settled.handle, 'invoicePaymentWorkflow.bank-debit');
});

it('stops automatic payments from the page; another payer\'s terms are out of reach', async () => {
  const p = await signedInPayer();
  const other = await payerWithTerms(world, m);
  expect((await p.b.post(`${base}/terms/${other.termsId}/revoke`)).status).toBe(404);
  expect(await p.b.post(`${base}/terms/${p.termsId}/revoke`)).toMatchObject({ status: 303, location: `${base}?done=terms-revoked` });
  const page = await p.b.get(`${base}?done=terms-revoked`);
  expect(page.text).toContain('Automatic payments are stopped');
  expect(page.text).toContain('Stopped');
  const terms = async (payerId: string) => (await m.merchant('GET', `/v1/billing-terms?payerId=${payerId}`)).body.terms;
  expect(await terms(p.payerId)).toEqual([expect.objectContaining({ id: p.termsId, status: 'revoked' })]);
  expect(await terms(other.payerId)).toEqual([expect.objectContaining({ id: other.termsId, status: 'active' })]);
  await eventually('the revoke is in the activity log', async () => (await m.merchant('GET', '/v1/activity-log')).body,
    (body) => JSON.stringify(body).includes('billing-terms-revoked'));
});
