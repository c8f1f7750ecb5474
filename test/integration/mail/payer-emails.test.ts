// The payer's emails about their payments, as they arrive at a real SMTP server (in-process): a receipt when a
// payment goes through (card at once, bank debit once it settles; quotes and invoices) and "payment declined" with
// a link that opens the page to pay again. Each is written once per attempt, however often its activity runs.
import { randomBytes } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import { registerPayer } from '../../../db/payers';
import { startSmtpSink, type SmtpSink } from '../../../emulators/mail/smtp-sink';
import { beginCheckoutUpdate, completeCheckoutUpdate, quotePaymentStateQuery, type QuotePaymentStatus } from '../../../workflows/quotes/definitions';
import { invoicePaymentWorkflowId } from '../../../workflows/invoice-payments/definitions';
import { accountingRefreshWorkflowId } from '../../../workflows/accounting-data/definitions';
import { eventually } from '../../support/eventually';
import { formBrowser, type FormBrowser } from '../../support/form-browser';
import { recordHistory } from '../../support/histories';
import { invoiceFor, payerWithTerms } from '../../support/payer-invoices';
import { acceptBody, setUpQuoteMerchant, startQuoteWorld, untilQuoteStatus, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';

let smtp: SmtpSink;
let world: QuoteWorld;
let m: QuoteMerchant;
let merchantName: string;
const PASSWORD = 'correct horse battery staple';
const today = () => new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  smtp = await startSmtpSink();
  world = await startQuoteWorld({ mail: { smtpUrl: smtp.url, from: 'Settle <billing@settle.test>', pollMs: 300 } });
  m = await setUpQuoteMerchant(world);
  merchantName = (await m.merchant('GET', '/v1/merchant')).body.name;
});
afterAll(async () => {
  await world?.close();
  await smtp?.close();
});

const to = (mail: ParsedMail) => (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((a) => a?.value.map((v) => v.address) ?? []);
const mailsTo = (address: string) => smtp.received.filter((mail) => to(mail).includes(address));
/** Waits for the n-th email to `address` whose subject matches. */
const mailTo = async (address: string, subject: RegExp, n = 1) =>
  (await eventually(`email ${subject} to the payer`, async () => mailsTo(address).filter((mail) => subject.test(mail.subject ?? '')), (found) => found.length >= n))[n - 1];
const linkIn = (mail: ParsedMail) => {
  const link = /Pay now: (\S+)/.exec(mail.text ?? '')?.[1];
  expect(link).toBeDefined();
  expect(mail.html).toContain(`href="${link}"`); // the HTML part's button goes where the text part says
  return link!;
};
const rowsFor = (template: string) => world.stack.db.selectFrom('outbox_emails').select(['id', 'dedupe_key', 'status']).where('merchant_id', '=', m.merchantId).where('template', '=', template).execute();
const quoteHandle = (quoteId: string) => world.stack.client.workflow.getHandle(`quote-payment/${m.merchantId}/${quoteId}`);

async function accept(email: string) {
  const body = acceptBody({ customer: { company: `Contoso ${randomBytes(3).toString('hex')}`, name: 'Dana Payer', email } });
  const res = await m.cpq('POST', '/v1/cpq/quote-payments', { body });
  expect(res.status).toBe(201);
  return { id: res.body.id as string, quoteId: body.quoteId, pay: new URL(res.body.payNowUrl).pathname };
}

async function payAsGuest(b: FormBrowser, pay: string, testMethod: string) {
  expect(await b.post(`${pay}/checkout`, { method: 'card' })).toMatchObject({ status: 303 });
  expect((await b.get(`${pay}/pay`)).status).toBe(200);
  const confirmed = await b.post(`${pay}/sandbox-confirm`, { payment_method: testMethod });
  expect((await b.get(confirmed.location)).status).toBe(303);
}

it('a declined card brings the payer "payment declined" with a link back to the quote; the retry brings one receipt', async () => {
  const email = `dana+${randomBytes(3).toString('hex')}@contoso.example`;
  const q = await accept(email);
  const b = formBrowser(world.stack.api!.url);
  expect(await b.post(`${q.pay}/guest`)).toMatchObject({ status: 303 });
  await payAsGuest(b, q.pay, 'pm_card_chargeDeclined');

  const declined = await mailTo(email, /did not go through/);
  expect(to(declined)).toEqual([email]);
  expect(declined.subject).toBe(`Your payment to ${merchantName} did not go through`);
  expect(declined.text).toContain('Hello Dana Payer,');
  expect(declined.text).toContain(`Your payment of 1250.00 USD for quote ${q.quoteId} did not go through (Your card was declined.)`);
  expect(declined.html).toContain(`1250.00 USD for quote ${q.quoteId}`);
  const link = linkIn(declined);
  expect(link).toBe(`${world.stack.api!.url}${q.pay}`);
  // The link opens the quote's page, payable again, in a browser that has never seen it.
  const page = await formBrowser(world.stack.api!.url).get(link);
  expect(page.status).toBe(200);
  expect(page.text).toContain(q.quoteId);
  expect(page.text).toContain('id="guest"');

  await payAsGuest(b, q.pay, 'pm_card_visa');
  const receipt = await mailTo(email, /^Receipt/);
  expect(receipt.subject).toBe(`Receipt: 1250.00 USD paid to ${merchantName}`);
  expect(receipt.text).toContain(`${merchantName} received your payment of 1250.00 USD for quote ${q.quoteId}.`);
  expect(receipt.text).toContain(`Paid by card on ${today()}.`);
  expect(receipt.html).toContain('Paid by card on');
  expect(receipt.text).not.toMatch(/4242|pm_|pi_/); // no card or processor details

  // Saved again later (posted, waiting for the downpayment invoice) and saved once more by a retried activity: still one each.
  const state = await untilQuoteStatus(quoteHandle(q.quoteId), 'awaiting-downpayment-invoice');
  await world.stack.activities.saveQuotePaymentState({ merchantId: m.merchantId, state });
  await new Promise((resolve) => setTimeout(resolve, 800));
  expect(mailsTo(email).map((mail) => mail.subject)).toEqual([declined.subject, receipt.subject]);
  const keys = [...await rowsFor('payment-declined'), ...await rowsFor('payment-receipt')].map((r) => r.dedupe_key).filter((k) => k.includes(q.id));
  expect(keys.sort()).toEqual([`payment-declined:${q.id}:1`, `payment-receipt:${q.id}:2`]);
});

it('a bank debit brings its receipt once it settles, and a failed one "payment declined"', async () => {
  const email = `ada+${randomBytes(3).toString('hex')}@example.com`;
  const { payer } = await registerPayer(world.stack.db, world.stack.apiDeps.keyring, m.merchantId, { name: 'Ada Debit', email });
  const debit = async () => {
    const q = await accept('cpq-contact@contoso.example');
    const handle = quoteHandle(q.quoteId);
    const { paymentIntentId } = await handle.executeUpdate(beginCheckoutUpdate, { args: [{ checkout: 'payer', payerId: payer.id, method: 'bank_debit' }] });
    await world.stripe.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: 'pm_usBankAccount' }, { stripeAccount: m.stripeAccountId });
    expect((await handle.executeUpdate(completeCheckoutUpdate, { args: [{ paymentIntentId }] })).status).toBe('processing');
    await untilQuoteStatus(handle, 'processing', (s) => Boolean(s.creditNote));
    return { q, handle, paymentIntentId };
  };
  const good = await debit();
  const bad = await debit();
  // Submitted, not yet settled: no receipt.
  await new Promise((resolve) => setTimeout(resolve, 800));
  expect(mailsTo(email)).toEqual([]);

  await world.stripe.emu.settle(good.paymentIntentId, 'succeeded');
  await world.stripe.emu.settle(bad.paymentIntentId, 'failed');
  const until = (h: typeof good, status: QuotePaymentStatus) => eventually(`quote ${status}`, () => h.handle.query(quotePaymentStateQuery), (s) => s.status === status);
  await until(good, 'awaiting-downpayment-invoice');
  await until(bad, 'failed');

  const receipt = await mailTo(email, /^Receipt/);
  expect(receipt.text).toContain(`for quote ${good.q.quoteId}.`);
  expect(receipt.text).toContain('Paid by bank debit on');
  const declined = await mailTo(email, /did not go through/);
  expect(declined.text).toContain(`for quote ${bad.q.quoteId} did not go through`);
  expect(linkIn(declined)).toBe(`${world.stack.api!.url}${bad.q.pay}`);
  expect(mailsTo('cpq-contact@contoso.example')).toEqual([]); // the payer who paid is told, not CPQ's contact
});

/** A payer signed in to the Pay Now invoice pages with one invoice of `amountMinor` to pay, and a way to pay it. */
async function invoicePayer(amountMinor: number) {
  const p = await payerWithTerms(world, m);
  const base = `/pay/m/${m.merchantId}/invoices`;
  const b = formBrowser(world.stack.api!.url);
  expect((await b.post('/pay/set-password', { token: p.passwordToken, password: PASSWORD, confirmation: PASSWORD })).status).toBe(303);
  expect(await b.post(`${base}/login`, { email: p.email, password: PASSWORD })).toMatchObject({ status: 303, location: base });
  const inv = await invoiceFor(world, p.contactId, amountMinor, new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10));
  expect((await m.merchant('POST', '/v1/accounting/refresh')).status).toBe(202);
  await world.stack.client.workflow.getHandle(accountingRefreshWorkflowId(m.merchantId)).result();

  /** "Pay selected" (the whole invoice, or `amount` of it), confirmed with a Stripe test method; the checkout's workflow. */
  const pay = async (testMethod: string, amount?: string) => {
    const res = await b.post(`${base}/pay`, [['invoice', inv.id], ['method', 'card'], ...(amount ? [[`amount-${inv.id}`, amount] as [string, string]] : [])]);
    const checkoutId = /\/checkouts\/(chk_[0-9a-f]{24})$/.exec(res.location)![1];
    const at = `${base}/checkouts/${checkoutId}`;
    const confirmed = await b.post(`${at}/sandbox-confirm`, { payment_method: testMethod });
    await b.get(confirmed.location);
    return world.stack.client.workflow.getHandle(invoicePaymentWorkflowId(m.merchantId, checkoutId));
  };
  return { p, base, inv, pay };
}

it('Pay Now for invoices: a decline links to the invoice pages, a payment brings a receipt naming the invoice, once', async () => {
  const { p, base, inv, pay } = await invoicePayer(9_900);
  const declinedCheckout = await pay('pm_card_chargeDeclined');
  expect(await declinedCheckout.result()).toMatchObject({ status: 'failed' });
  await recordHistory(declinedCheckout, 'invoicePaymentWorkflow.declined');
  const declined = await mailTo(p.email, /did not go through/);
  expect(declined.text).toContain(`Your payment of 99.00 USD for invoice ${inv.number} did not go through (Your card was declined.)`);
  const link = linkIn(declined);
  expect(link).toBe(`${world.stack.api!.url}${base}`);
  const signIn = await formBrowser(world.stack.api!.url).get(link);
  expect(signIn.status).toBe(200);
  expect(signIn.text).toContain('type="password"'); // the payer signs in there: the link carries no secret

  const paid = await (await pay('pm_card_visa')).result();
  expect(paid).toMatchObject({ status: 'paid', sync: 'synced' });
  // The quote's receipt (payerWithTerms paid one) came first; this one is for the invoice.
  const receipt = await mailTo(p.email, /^Receipt: 99\.00 USD/);
  expect(receipt.text).toContain(`received your payment of 99.00 USD for invoice ${inv.number}.`);
  expect(receipt.text).toContain(`Paid by card on ${today()}.`);

  // recordPayment retried (a lost answer): the same payment, no second receipt.
  const payment = await world.stack.db.selectFrom('payments').selectAll().where('id', '=', paid.paymentId!).executeTakeFirstOrThrow();
  await world.stack.activities.recordPayment({ paymentId: payment.id, merchantId: m.merchantId, amountMinor: 9_900, currency: 'USD', reference: payment.reference,
    channel: 'pay_now', method: 'card', applications: [{ invoiceId: inv.id, amountMinor: 9_900 }], payerId: p.payerId, workflowId: payment.workflow_id });
  await new Promise((resolve) => setTimeout(resolve, 800));
  expect(mailsTo(p.email).filter((mail) => /^Receipt: 99\.00 USD/.test(mail.subject ?? ''))).toHaveLength(1);
  expect((await rowsFor('payment-receipt')).filter((r) => r.dedupe_key === `payment-receipt:${payment.id}`)).toHaveLength(1);
});

it('a part payment\'s receipt says it paid part of the invoice, and what is still owed', async () => {
  expect((await m.merchant('PUT', '/v1/merchant/settings/partial-payments', { body: { enabled: true, minimumMinor: 10_00 } })).status).toBe(200);
  try {
    const { p, inv, pay } = await invoicePayer(120_00);
    expect(await (await pay('pm_card_visa', '50.00')).result()).toMatchObject({ status: 'paid', sync: 'synced' });
    const receipt = await mailTo(p.email, /^Receipt: 50\.00 USD/);
    expect(receipt.text).toContain(`received your payment of 50.00 USD for invoice ${inv.number}.`);
    expect(receipt.text).toContain(`This was a part payment: 50.00 USD of the 120.00 USD invoice ${inv.number} owed; 70.00 USD is still owed.`);

    // The rest pays the invoice: its receipt says nothing of parts.
    expect(await (await pay('pm_card_visa', '70.00')).result()).toMatchObject({ status: 'paid', sync: 'synced' });
    const rest = await mailTo(p.email, /^Receipt: 70\.00 USD/);
    expect(rest.text).toContain(`received your payment of 70.00 USD for invoice ${inv.number}.`);
    expect(rest.text).not.toMatch(/part payment|still owed/);
  } finally {
    await m.merchant('PUT', '/v1/merchant/settings/partial-payments', { body: { enabled: false, minimumMinor: 10_00 } });
  }
});
