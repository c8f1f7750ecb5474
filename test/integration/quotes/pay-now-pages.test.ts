// The Pay Now pages over HTTP, as a browser uses them (forms, 303s, a cookie carried by hand), against the real
// stack: CPQ accepts a quote, the payer identifies, chooses a method, pays on the sandbox checkout and is sent back
// to the quote in CPQ. The workflow, Stripe (emulator) and Xero (emulator) do the rest, and are checked too.
import type { QuotePaymentStatus } from '../../../workflows/quotes/definitions';
import { eventually } from '../../support/eventually';
import { formBrowser, type FormBrowser } from '../../support/form-browser';
import { acceptBody, setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';

let world: QuoteWorld;
let m: QuoteMerchant;
let origin: string;

beforeAll(async () => {
  world = await startQuoteWorld();
  m = await setUpQuoteMerchant(world);
  origin = world.stack.api!.url;
});
afterAll(() => world.close());

/** One payer's browser (test/support/form-browser.ts). */
const browser = () => formBrowser(origin);
type Browser = FormBrowser;

async function accept(overrides: Record<string, unknown> = {}, merchant = m) {
  const body = acceptBody(overrides);
  const res = await merchant.cpq('POST', '/v1/cpq/quote-payments', { body });
  if (res.status !== 201) throw new Error(`accept failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id as string, quoteId: body.quoteId, company: body.customer.company, pay: new URL(res.body.payNowUrl).pathname };
}

/** From the method choice to the return to CPQ: the Location the payer is finally sent to. */
async function payBy(b: Browser, pay: string, testMethod: string, method = 'card'): Promise<URL> {
  expect(await b.post(`${pay}/checkout`, { method })).toMatchObject({ status: 303, location: `${pay}/pay` });
  const checkout = await b.get(`${pay}/pay`);
  expect(checkout.status).toBe(200);
  const confirmed = await b.post(`${pay}/sandbox-confirm`, { payment_method: testMethod });
  expect(confirmed).toMatchObject({ status: 303, location: expect.stringMatching(new RegExp(`^${pay}/return\\?payment_intent=pi_`)) });
  const back = await b.get(confirmed.location);
  expect(back.status).toBe(303);
  return new URL(back.location);
}

const until = (quotePaymentId: string, status: QuotePaymentStatus, merchant = m) =>
  eventually(`quote payment ${quotePaymentId} ${status}`, async () => (await merchant.merchant('GET', `/v1/quote-payments/${quotePaymentId}`)).body, (view) => view.status === status);

const creditNotesOf = (company: string) => {
  const ledger = world.xero.ledger();
  const contact = [...ledger.contacts.values()].find((c) => c.name === company);
  return [...ledger.creditNotes.values()].filter((c) => c.contactId === contact?.id && c.reference === 'PF');
};

it('a guest pays by card and goes back to the quote; a reload of the return URL posts nothing twice', async () => {
  const q = await accept();
  const b = browser();
  const first = await b.get(q.pay);
  expect(first.status).toBe(200);
  expect(first.headers.get('content-type')).toMatch(/^text\/html/);
  expect(first.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
  expect(first.text).toContain(q.quoteId);
  expect(first.text).toContain('1250.00 USD');
  expect(first.text).toMatch(/Quote MSP [0-9a-f]{6}/);
  for (const form of ['login', 'register', 'guest']) expect(first.text).toContain(`id="${form}"`);

  const guest = await b.post(`${q.pay}/guest`);
  expect(guest).toMatchObject({ status: 303, location: q.pay });
  expect(guest.headers.get('set-cookie')).toMatch(/^pay_now_qp_\w+=v1\.[^;]+; Max-Age=7200; Path=\/pay; HttpOnly; SameSite=Lax$/);
  const choice = await b.get(q.pay);
  expect(choice.text).toContain('value="card"');
  expect(choice.text).not.toContain('value="bank_debit"'); // a guest pays by card only

  expect(await b.post(`${q.pay}/checkout`, { method: 'card' })).toMatchObject({ status: 303, location: `${q.pay}/pay` });
  const checkout = await b.get(`${q.pay}/pay`);
  expect(checkout.text).toContain('Card — succeeds');
  expect(checkout.text).not.toContain('Bank debit');
  expect(checkout.headers.get('content-security-policy')).toContain("form-action 'self' https://cpq.example");
  const confirmed = await b.post(`${q.pay}/sandbox-confirm`, { payment_method: 'pm_card_visa' });
  const back = await b.get(confirmed.location);
  const returned = new URL(back.location);
  expect(back.status).toBe(303);
  expect(`${returned.origin}${returned.pathname}`).toBe('https://cpq.example/quotes/return');
  expect(Object.fromEntries(returned.searchParams)).toEqual({ settle_status: 'paid', quote_id: q.quoteId });

  await until(q.id, 'awaiting-downpayment-invoice');
  expect(await b.get(confirmed.location)).toMatchObject({ status: 303, location: back.location }); // the payer reloads
  await until(q.id, 'awaiting-downpayment-invoice');
  expect(creditNotesOf(q.company)).toEqual([expect.objectContaining({ status: 'AUTHORISED', totalCents: 125000 })]);
  expect((await b.get(q.pay)).text).toContain('your payment was received');
});

it('offers no guest checkout for a quote with a recurring portion, and refuses a forged one', async () => {
  const q = await accept({ recurring: { amount: '99.00', interval: 'month' } });
  const b = browser();
  const quote = await b.get(q.pay);
  expect(quote.text).toContain('99.00 USD per month');
  expect(quote.text).toContain('recurring portion, so you need an account');
  expect(quote.text).not.toContain('id="guest"');
  const forged = await b.post(`${q.pay}/guest`);
  expect(forged.status).toBe(403);
  expect(forged.text).toContain('Guest checkout is not available for this quote');
  expect(b.jar.size).toBe(0);
  expect((await b.post(`${q.pay}/checkout`, { method: 'card' })).status).toBe(401); // no session, no checkout
});

it('registers a payer with a welcome email whose link sets the password once; the payer then logs in', async () => {
  const q = await accept();
  const email = `pat.${Date.now()}@payer.example`;
  const b = browser();
  const bad = await b.post(`${q.pay}/register`, { name: 'Pat Payer', email: 'not-an-email', phone: '' });
  expect(bad.status).toBe(422);
  expect(bad.text).toContain('Enter a valid email address.');
  expect(bad.text).toContain('value="Pat Payer"'); // what was typed is kept
  expect(await b.post(`${q.pay}/register`, { name: 'Pat Payer', email, phone: '+1 555 0100' })).toMatchObject({ status: 303, location: q.pay });
  const choice = await b.get(q.pay);
  expect(choice.text).toContain('Paying as Pat Payer.');
  expect(choice.text).toContain('value="bank_debit"'); // a payer may debit a bank account (USD: ACH)

  const emails = (await m.merchant('GET', '/v1/outbox/emails')).body.emails.filter((e: { to: string }) => e.to === email);
  expect(emails).toEqual([expect.objectContaining({ template: 'welcome' })]);
  const link = new URL(/https?:\/\/\S+\/pay\/set-password\?token=\S+/.exec(emails[0].text)![0]);
  expect(link.origin).toBe(origin);
  const payers = () => world.stack.db.selectFrom('payers').select('id').where('merchant_id', '=', m.merchantId).execute();
  const before = (await payers()).length;
  const again = await browser().post(`${q.pay}/register`, { name: 'Pat Again', email: email.toUpperCase(), phone: '' });
  expect(again.status).toBe(409);
  expect(again.text).toContain('log in instead');
  expect(await payers()).toHaveLength(before); // no second payer

  const form = await b.get(link.pathname + link.search);
  expect(form.text).toContain('name="token"');
  const token = link.searchParams.get('token')!;
  expect((await b.post('/pay/set-password', { token, password: 'short', confirmation: 'short' })).status).toBe(422);
  const password = 'correct horse battery staple';
  expect(await b.post('/pay/set-password', { token, password, confirmation: password })).toMatchObject({ status: 303, location: '/pay/set-password?done=1' });
  const reused = await b.post('/pay/set-password', { token, password, confirmation: password });
  expect(reused.status).toBe(410);
  expect(reused.text).toContain('expired or was already used');

  const other = browser();
  const wrong = await other.post(`${q.pay}/login`, { email, password: 'wrong password!!' });
  expect(wrong.status).toBe(401);
  expect(wrong.text).toContain('do not match an account');
  expect(wrong.text).not.toContain('wrong password!!');
  expect((await other.post(`${q.pay}/login`, { email: 'nobody@payer.example', password })).text).toContain('do not match an account');
  expect(await other.post(`${q.pay}/login`, { email, password })).toMatchObject({ status: 303, location: q.pay });
  expect((await other.get(q.pay)).text).toContain('Paying as Pat Payer.');
});

it('shows a declined card and lets the payer try again', async () => {
  const q = await accept();
  const b = browser();
  await b.post(`${q.pay}/guest`);
  const declined = await payBy(b, q.pay, 'pm_card_chargeDeclined');
  expect(Object.fromEntries(declined.searchParams)).toEqual({ settle_status: 'failed', quote_id: q.quoteId, settle_failure: 'Your card was declined.' });
  const retry = await b.get(q.pay);
  expect(retry.text).toContain('Your payment did not go through: Your card was declined.');
  expect(retry.text).toContain('value="card"');
  expect((await payBy(b, q.pay, 'pm_card_visa')).searchParams.get('settle_status')).toBe('paid');
  await until(q.id, 'awaiting-downpayment-invoice');
  expect(creditNotesOf(q.company)).toHaveLength(1);
});

it('takes a bank debit from a payer: processing, a few days to clear', async () => {
  const q = await accept();
  const b = browser();
  await b.post(`${q.pay}/register`, { name: 'Deb Itor', email: `deb.${Date.now()}@payer.example`, phone: '' });
  expect(await b.post(`${q.pay}/checkout`, { method: 'bank_debit' })).toMatchObject({ status: 303, location: `${q.pay}/pay` });
  const checkout = await b.get(`${q.pay}/pay`);
  expect(checkout.text).toContain('value="pm_usBankAccount"');
  expect(checkout.text).not.toContain('Card — succeeds'); // the intent takes the chosen method only
  expect(checkout.text).toMatch(/POST \/_emulator\/payment_intents\/pi_\w+\/settle/);
  const confirmed = await b.post(`${q.pay}/sandbox-confirm`, { payment_method: 'pm_usBankAccount' });
  const returned = new URL((await b.get(confirmed.location)).location);
  expect(Object.fromEntries(returned.searchParams)).toEqual({ settle_status: 'processing', quote_id: q.quoteId });
  expect((await b.get(q.pay)).text).toContain('Bank debits take a few days to clear');
});

it('does not offer a method the merchant disabled, and refuses a forged POST of it', async () => {
  const cardOnly = await setUpQuoteMerchant(world, { methods: ['card'] });
  const q = await accept({}, cardOnly);
  const b = browser();
  await b.post(`${q.pay}/register`, { name: 'Card Only', email: `card.${Date.now()}@payer.example`, phone: '' });
  const choice = await b.get(q.pay);
  expect(choice.text).toContain('value="card"');
  expect(choice.text).not.toContain('value="bank_debit"');
  const forged = await b.post(`${q.pay}/checkout`, { method: 'bank_debit' });
  expect(forged.status).toBe(409);
  expect(forged.text).toContain('bank_debit is not offered for this quote');
  expect((await cardOnly.merchant('GET', `/v1/quote-payments/${q.id}`)).body.status).toBe('awaiting-checkout');
});

it('escapes a hostile customer name and company on the page', async () => {
  const hostile = { company: '<script>alert(1)</script> & "Co"', name: '<img src=x onerror=alert(2)>', email: 'x@contoso.example' };
  const q = await accept({ customer: hostile });
  const page = await browser().get(q.pay);
  expect(page.text).not.toContain('<script>alert(1)');
  expect(page.text).not.toContain('<img src=x');
  expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;');
  expect(page.text).toContain('&lt;img src=x onerror=alert(2)&gt;');
});

it('refuses a POST from another origin (CSRF) and answers an unknown link with a friendly 404', async () => {
  const q = await accept();
  const b = browser();
  const forged = await b.post(`${q.pay}/guest`, {}, { origin: 'https://evil.example' });
  expect(forged.status).toBe(403);
  expect(forged.text).toContain('sent from another site');
  expect(forged.headers.get('set-cookie')).toBeNull();
  const unknown = await b.get('/pay/q/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
  expect(unknown.status).toBe(404);
  expect(unknown.headers.get('content-type')).toMatch(/^text\/html/);
  expect(unknown.text).toContain('Payment link not found');
});
