// Each merchant is paid into its own Stripe account (Connect, direct charges), against the real stack and the Stripe
// emulator: onboarding through Settle's API and Stripe's hosted page (links single-use, refresh_url minting a new
// one), payments refused until Stripe enables charges, two merchants' payments each on their own account and never
// on the platform's, `account.updated` through the Connect endpoint keeping the status current (Pay Now says payments
// are not available), and Connect events for an unknown account or the other mode acknowledged but never applied.
import { randomBytes } from 'node:crypto';
import { registerPayer } from '../../../db/payers';
import { completeAccountLink } from '../../../emulators/stripe';
import { beginCheckoutUpdate, completeCheckoutUpdate } from '../../../workflows/quotes/definitions';
import { eventually } from '../../support/eventually';
import { formBrowser } from '../../support/form-browser';
import { acceptBody, CONNECT_WEBHOOK_SECRET, setUpQuoteMerchant, startQuoteWorld, untilQuoteStatus, type QuoteMerchant, type QuoteWorld } from '../../support/quotes';

let world: QuoteWorld;
beforeAll(async () => {
  world = await startQuoteWorld({ connectWebhook: true });
});
afterAll(() => world.close());

async function payQuote(m: QuoteMerchant) {
  const view = (await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody() })).body;
  const handle = world.stack.client.workflow.getHandle(`quote-payment/${m.merchantId}/${view.quoteId}`);
  const { payer } = await registerPayer(world.stack.db, world.stack.apiDeps.keyring, m.merchantId, { name: 'Connie Payer', email: `connie+${randomBytes(3).toString('hex')}@example.com` });
  const { paymentIntentId } = await handle.executeUpdate(beginCheckoutUpdate, { args: [{ checkout: 'payer', payerId: payer.id, method: 'card' }] });
  await world.stripe.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: 'pm_card_visa' }, { stripeAccount: m.stripeAccountId });
  await handle.executeUpdate(completeCheckoutUpdate, { args: [{ paymentIntentId }] });
  await untilQuoteStatus(handle, 'awaiting-downpayment-invoice');
  return { paymentIntentId, payerId: payer.id };
}

it('creates the account once and onboards it through single-use links; payments are refused until Stripe enables charges', async () => {
  const m = await setUpQuoteMerchant(world, { onboardStripe: false, stripeWebhook: false });
  const before = await m.merchant('GET', '/v1/integrations/stripe/account');
  expect(before.status).toBe(200);
  expect(before.body).toMatchObject({ accountId: m.stripeAccountId, detailsSubmitted: false, chargesEnabled: false, payoutsEnabled: false, platformFeeBps: 0 });
  expect(before.body.requirements).toContain('external_account');
  expect(world.stripe.account().connected.get(m.stripeAccountId)!.profile).toMatchObject({
    controller: { fees: { payer: 'account' }, losses: { payments: 'stripe' }, stripe_dashboard: { type: 'full' } },
  });

  const refused = await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody() });
  expect(refused.status).toBe(409);
  expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(refused.body).toMatchObject({ type: '/problems/payments-unavailable' });
  expect(refused.body.detail).toContain('external_account');
  expect(await world.stack.db.selectFrom('quote_payments').select('id').where('merchant_id', '=', m.merchantId).execute()).toEqual([]);

  // Again: the same account, a fresh link. Opened once it is spent: Stripe sends the browser to refresh_url, where
  // Settle mints a new link and sends the browser on to it.
  const again = await m.merchant('POST', '/v1/integrations/stripe/account');
  expect(again.status).toBe(200);
  expect(again.body.accountId).toBe(m.stripeAccountId);
  expect(world.stripe.account().connected.size).toBeGreaterThanOrEqual(1);
  expect([...world.stripe.account().connected.values()].filter((a) => a.profile!.metadata.settle_merchant_id === m.merchantId)).toHaveLength(1);
  expect((await fetch(again.body.onboardingUrl, { redirect: 'manual' })).status).toBe(200);
  const spent = await fetch(again.body.onboardingUrl, { redirect: 'manual' });
  expect(spent.status).toBe(302);
  const refresh = spent.headers.get('location')!;
  expect(refresh.startsWith(`${world.stack.api!.url}/stripe/onboarding/refresh?token=`)).toBe(true);
  const minted = await fetch(refresh, { redirect: 'manual' });
  expect(minted.status).toBe(303);
  const fresh = minted.headers.get('location')!;
  expect(fresh).not.toBe(again.body.onboardingUrl);
  const returned = await completeAccountLink(fresh);
  const page = await fetch(returned);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('Your Stripe account is ready');
  expect(await fetch(`${world.stack.api!.url}/stripe/onboarding/refresh?token=${'x'.repeat(32)}`, { redirect: 'manual' }).then((r) => r.status)).toBe(404);

  expect((await m.merchant('GET', '/v1/integrations/stripe/account')).body).toMatchObject({ detailsSubmitted: true, chargesEnabled: true, payoutsEnabled: true, requirements: [] });
  expect((await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody() })).status).toBe(201);
});

it("puts each merchant's payments on its own connected account, never on the platform's or the other's", async () => {
  const [a, b] = [await setUpQuoteMerchant(world), await setUpQuoteMerchant(world)];
  expect(a.stripeAccountId).not.toBe(b.stripeAccountId);
  const paidA = await payQuote(a);
  const paidB = await payQuote(b);
  const platform = world.stripe.account();
  const accountA = platform.connected.get(a.stripeAccountId)!;
  const accountB = platform.connected.get(b.stripeAccountId)!;
  expect(accountA.paymentIntents.get(paidA.paymentIntentId)).toMatchObject({ status: 'succeeded', metadata: { settle_merchant_id: a.merchantId } });
  expect(accountB.paymentIntents.get(paidB.paymentIntentId)).toMatchObject({ status: 'succeeded', metadata: { settle_merchant_id: b.merchantId } });
  expect(accountA.paymentIntents.has(paidB.paymentIntentId)).toBe(false);
  expect(accountB.paymentIntents.has(paidA.paymentIntentId)).toBe(false);
  expect(platform.paymentIntents.size).toBe(0);
  expect(platform.customers.size).toBe(0);
  // The payer's Stripe customer is on the merchant's account too.
  const payer = await world.stack.db.selectFrom('payers').select('stripe_customer_id').where('id', '=', paidA.payerId).executeTakeFirstOrThrow();
  expect(accountA.customers.has(payer.stripe_customer_id!)).toBe(true);
});

it('keeps the status current from account.updated on the Connect endpoint: Pay Now then says payments are not available', async () => {
  const m = await setUpQuoteMerchant(world, { stripeWebhook: false });
  const accepted = (await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody() })).body;
  const pay = new URL(accepted.payNowUrl).pathname;
  const b = formBrowser(world.stack.api!.url);
  expect((await b.post(`${pay}/guest`)).status).toBe(303);
  expect((await b.get(pay)).text).not.toContain('Payments are not yet available');

  world.stripe.emu.requireMore(m.stripeAccountId, ['individual.verification.document']);
  await eventually('charges disabled', () => world.stack.db.selectFrom('merchant_stripe_accounts').selectAll().where('merchant_id', '=', m.merchantId).executeTakeFirstOrThrow(),
    (row) => !row.charges_enabled);
  const shown = await b.get(pay);
  expect(shown.text).toContain('Payments are not yet available');
  expect(shown.text).not.toContain('value="card"');
  const tried = await b.post(`${pay}/checkout`, { method: 'card' });
  expect(tried.status).toBe(409);
  expect(tried.text).toContain('Payments are not yet available');
  expect((await m.cpq('POST', '/v1/cpq/quote-payments', { body: acceptBody() })).status).toBe(409);
  const recorded = await world.stack.db.selectFrom('stripe_events').select(['type', 'handling']).where('merchant_id', '=', m.merchantId).where('type', '=', 'account.updated').execute();
  expect(recorded.map((r) => r.handling)).toContain('recorded');
});

it('acknowledges but never applies a Connect event for an unknown account or of the other mode, and refuses a bad signature', async () => {
  const m = await setUpQuoteMerchant(world, { stripeWebhook: false });
  const url = `${world.stack.api!.url}/webhooks/stripe/connect`;
  const send = (event: object, secret = CONNECT_WEBHOOK_SECRET) => {
    const payload = JSON.stringify(event);
    return fetch(url, { method: 'POST', body: payload, headers: { 'content-type': 'application/json', 'stripe-signature': world.stripe.stripe.webhooks.generateTestHeaderString({ payload, secret }) } });
  };
  const event = (account: string, livemode: boolean) => ({
    id: `evt_${randomBytes(8).toString('hex')}`, object: 'event', type: 'account.updated', created: Math.floor(Date.now() / 1000), livemode, account,
    data: { object: { id: account, object: 'account', charges_enabled: false } },
  });
  for (const e of [event('acct_nobodyhasthis1', false), event(m.stripeAccountId, true)]) {
    const res = await send(e);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, handling: 'ignored' });
    expect(await world.stack.db.selectFrom('stripe_events').select('id').where('id', '=', e.id).execute()).toEqual([]);
  }
  expect((await send(event(m.stripeAccountId, false), 'whsec_not_the_connect_secret')).status).toBe(400);
  expect((await m.merchant('GET', '/v1/integrations/stripe/account')).body.chargesEnabled).toBe(true);
});
