// The Stripe emulator's Connect side through the real stripe SDK: connected accounts with controller properties,
// Account Links and the hosted onboarding page, the Stripe-Account header keeping each account's objects to itself,
// direct charges with an application fee, refunds (full, partial, too much, failing), balance transactions with
// fees, payouts, and Connect webhook events carrying `account`.
import Stripe from 'stripe';
import { completeAccountLink, stripeFeeOf } from '../../../emulators/stripe';
import { startStripe, startWebhookReceiver, type StripeFixture, type WebhookReceiver } from '../../support/stripe';

let f: StripeFixture;
let stripe: Stripe;
let receiver: WebhookReceiver;
const connectSecret = 'whsec_connect_test';
beforeAll(async () => {
  f = await startStripe({ webhooks: { backoffMs: 10 } });
  stripe = f.stripe;
  receiver = await startWebhookReceiver();
  f.emu.addWebhookEndpoint(receiver.url, connectSecret, { connect: true });
});
afterAll(async () => {
  await receiver.close();
  await f.close();
});

const events = () => receiver.received.map((r) => stripe.webhooks.constructEvent(r.body, r.signature, connectSecret));

async function onboardedAccount(name: string): Promise<string> {
  const account = await stripe.accounts.create({
    controller: { fees: { payer: 'account' }, losses: { payments: 'stripe' }, stripe_dashboard: { type: 'full' } },
    business_profile: { name }, metadata: { settle_merchant_id: name },
  });
  const link = await stripe.accountLinks.create({ account: account.id, type: 'account_onboarding', refresh_url: 'https://settle.example/refresh', return_url: 'https://settle.example/return' });
  expect(await completeAccountLink(link.url)).toBe('https://settle.example/return');
  return account.id;
}

async function paid(account: string, amount: number, extra: Partial<Stripe.PaymentIntentCreateParams> = {}, paymentMethod = 'pm_card_visa') {
  return stripe.paymentIntents.create({ amount, currency: 'usd', allowed_payment_method_types: ['card'], payment_method: paymentMethod, confirm: true, ...extra }, { stripeAccount: account });
}

describe('connected accounts and onboarding', () => {
  it('creates an account with controller properties, onboards it through a single-use link, and says so with account.updated', async () => {
    const account = await stripe.accounts.create({
      controller: { fees: { payer: 'account' }, losses: { payments: 'stripe' }, stripe_dashboard: { type: 'full' } }, business_profile: { name: 'Acme MSP' },
    });
    expect(account).toMatchObject({
      object: 'account', details_submitted: false, charges_enabled: false, payouts_enabled: false,
      controller: { fees: { payer: 'account' }, losses: { payments: 'stripe' }, stripe_dashboard: { type: 'full' } },
    });
    expect(account.requirements?.currently_due).toContain('external_account');
    await expect(stripe.accounts.create({ controller: { losses: { payments: 'application' }, fees: { payer: 'account' } } })).rejects.toMatchObject({ statusCode: 400 });

    const link = await stripe.accountLinks.create({ account: account.id, type: 'account_onboarding', refresh_url: 'https://settle.example/refresh', return_url: 'https://settle.example/return' });
    expect(link.expires_at - link.created).toBe(300);
    const page = await fetch(link.url, { redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Acme MSP');
    // Single use: opened again, it sends the browser to refresh_url (where the platform mints a new link).
    const again = await fetch(link.url, { redirect: 'manual' });
    expect([again.status, again.headers.get('location')]).toEqual([302, 'https://settle.example/refresh']);
    expect((await stripe.accounts.retrieve(account.id)).charges_enabled).toBe(false);

    const fresh = await stripe.accountLinks.create({ account: account.id, type: 'account_onboarding', refresh_url: 'https://settle.example/refresh', return_url: 'https://settle.example/return' });
    expect(await completeAccountLink(fresh.url)).toBe('https://settle.example/return');
    expect(await stripe.accounts.retrieve(account.id)).toMatchObject({ details_submitted: true, charges_enabled: true, payouts_enabled: true, requirements: { currently_due: [] } });
    expect(await stripe.accounts.retrieveCurrent({}, { stripeAccount: account.id })).toMatchObject({ id: account.id, charges_enabled: true });
    await f.emu.webhooks.idle();
    const updated = events().find((e) => e.type === 'account.updated' && e.account === account.id);
    expect(updated?.data.object).toMatchObject({ id: account.id, charges_enabled: true });
    expect(updated?.data.previous_attributes).toMatchObject({ charges_enabled: false });
  });
});

describe('the Stripe-Account header', () => {
  it("keeps each account's objects to itself: invisible to the platform and to another account; an unknown account is refused", async () => {
    const [a, b] = await Promise.all([onboardedAccount('Merchant A'), onboardedAccount('Merchant B')]);
    const customer = await stripe.customers.create({ name: 'Payer of A' }, { stripeAccount: a });
    const intent = await paid(a, 5_000, { customer: customer.id });
    expect(intent.status).toBe('succeeded');
    expect(await stripe.customers.retrieve(customer.id, {}, { stripeAccount: a })).toMatchObject({ id: customer.id });
    for (const other of [{}, { stripeAccount: b }]) {
      await expect(stripe.customers.retrieve(customer.id, {}, other)).rejects.toMatchObject({ code: 'resource_missing', statusCode: 404 });
      await expect(stripe.paymentIntents.retrieve(intent.id, {}, other)).rejects.toMatchObject({ code: 'resource_missing' });
      await expect(stripe.refunds.create({ payment_intent: intent.id }, other)).rejects.toMatchObject({ code: 'resource_missing' });
    }
    expect(f.account().paymentIntents.has(intent.id)).toBe(false);
    expect(f.account().connected.get(a)!.paymentIntents.has(intent.id)).toBe(true);
    // Another platform's key cannot reach A, nor can the platform reach an account it never connected.
    await expect(f.clientFor('sk_test_otherplatform').customers.retrieve(customer.id, {}, { stripeAccount: a }))
      .rejects.toMatchObject({ type: 'StripePermissionError', code: 'account_invalid', statusCode: 403 });
    await expect(stripe.customers.create({ name: 'x' }, { stripeAccount: 'acct_nope' })).rejects.toMatchObject({ code: 'account_invalid' });
  });

  it('honours idempotency keys per account: the same key on two accounts makes two payments, twice on one makes one', async () => {
    const [a, b] = await Promise.all([onboardedAccount('Idem A'), onboardedAccount('Idem B')]);
    const params = { amount: 2_000, currency: 'usd', allowed_payment_method_types: ['card'] } as Stripe.PaymentIntentCreateParams;
    const first = await stripe.paymentIntents.create(params, { stripeAccount: a, idempotencyKey: 'same-key' });
    const replay = await stripe.paymentIntents.create(params, { stripeAccount: a, idempotencyKey: 'same-key' });
    const onB = await stripe.paymentIntents.create(params, { stripeAccount: b, idempotencyKey: 'same-key' });
    expect(replay.id).toBe(first.id);
    expect(onB.id).not.toBe(first.id);
    expect(f.account().connected.get(a)!.paymentIntents.size).toBe(1);
  });
});

describe('direct charges, fees, refunds and payouts', () => {
  it('takes the application fee only on a connected account, and records each charge with its fees', async () => {
    const a = await onboardedAccount('Fees');
    await expect(stripe.paymentIntents.create({ amount: 1_000, currency: 'usd', application_fee_amount: 10 })).rejects.toMatchObject({ param: 'application_fee_amount' });
    const intent = await paid(a, 10_000, { application_fee_amount: 150 });
    const charge = await stripe.charges.retrieve(intent.latest_charge as string, { expand: ['balance_transaction'] }, { stripeAccount: a });
    const txn = charge.balance_transaction as Stripe.BalanceTransaction;
    expect(txn).toMatchObject({ type: 'charge', amount: 10_000, fee: stripeFeeOf('card', 10_000) + 150, net: 10_000 - 320 - 150 });
    expect(txn.fee_details.map((d) => [d.type, d.amount])).toEqual([['stripe_fee', 320], ['application_fee', 150]]);
  });

  it('refunds fully and partially, never past what is left, with refund.created and charge.refunded on the account', async () => {
    const a = await onboardedAccount('Refunds');
    const intent = await paid(a, 10_000);
    const part = await stripe.refunds.create({ payment_intent: intent.id, amount: 2_500, reason: 'requested_by_customer' }, { stripeAccount: a, idempotencyKey: 'refund-1' });
    expect(part).toMatchObject({ object: 'refund', status: 'succeeded', amount: 2_500, payment_intent: intent.id });
    expect((await stripe.refunds.create({ payment_intent: intent.id, amount: 2_500, reason: 'requested_by_customer' }, { stripeAccount: a, idempotencyKey: 'refund-1' })).id).toBe(part.id);
    await expect(stripe.refunds.create({ payment_intent: intent.id, amount: 7_501 }, { stripeAccount: a })).rejects.toMatchObject({ code: 'amount_too_large', param: 'amount' });
    const rest = await stripe.refunds.create({ payment_intent: intent.id }, { stripeAccount: a });
    expect(rest.amount).toBe(7_500);
    expect(await stripe.charges.retrieve(intent.latest_charge as string, {}, { stripeAccount: a })).toMatchObject({ amount_refunded: 10_000, refunded: true });
    await expect(stripe.refunds.create({ payment_intent: intent.id, amount: 1 }, { stripeAccount: a })).rejects.toMatchObject({ code: 'charge_already_refunded' });
    await f.emu.webhooks.idle();
    const mine = events().filter((e) => e.account === a && (e.type.startsWith('refund.') || e.type === 'charge.refunded'));
    expect(mine.map((e) => e.type)).toEqual(['refund.created', 'charge.refunded', 'refund.created', 'charge.refunded']);
  });

  it("fails a refund of Stripe's refund-failure card after it was pending, and gives the money back to the charge", async () => {
    const a = await onboardedAccount('Refund fails');
    const intent = await paid(a, 4_000, {}, 'pm_card_refundFail');
    const refund = await stripe.refunds.create({ payment_intent: intent.id }, { stripeAccount: a });
    expect(refund.status).toBe('pending');
    await f.emu.webhooks.idle();
    await new Promise((r) => setTimeout(r, 100));
    await f.emu.webhooks.idle();
    expect(await stripe.refunds.retrieve(refund.id, {}, { stripeAccount: a })).toMatchObject({ status: 'failed', failure_reason: 'expired_or_canceled_card' });
    expect(await stripe.charges.retrieve(intent.latest_charge as string, {}, { stripeAccount: a })).toMatchObject({ amount_refunded: 0, refunded: false });
    expect(events().filter((e) => e.account === a && e.type.startsWith('refund.')).map((e) => e.type)).toEqual(['refund.created', 'refund.updated', 'refund.failed']);
  });

  it("pays out the account's available balance: the payout's balance transactions (paged) sum to nothing, payout.paid names the account", async () => {
    const a = await onboardedAccount('Payouts');
    const intents = [];
    for (let i = 0; i < 12; i++) intents.push(await paid(a, 1_000 + i * 100));
    await stripe.refunds.create({ payment_intent: intents[0].id, amount: 400 }, { stripeAccount: a });
    const payout = f.emu.payout(a, 'usd');
    const listed: Stripe.BalanceTransaction[] = [];
    for await (const txn of stripe.balanceTransactions.list({ payout: payout.id, limit: 5 }, { stripeAccount: a })) listed.push(txn);
    expect(listed).toHaveLength(14);
    expect(listed.filter((t) => t.type === 'charge')).toHaveLength(12);
    const gross = intents.reduce((s, i) => s + i.amount, 0);
    const fees = intents.reduce((s, i) => s + stripeFeeOf('card', i.amount), 0);
    expect(payout.amount).toBe(gross - fees - 400);
    expect(listed.reduce((s, t) => s + t.net, 0)).toBe(0); // the payout's own transaction takes it all out
    expect(await stripe.payouts.retrieve(payout.id, {}, { stripeAccount: a })).toMatchObject({ status: 'paid', automatic: true, amount: payout.amount });
    await expect(stripe.payouts.retrieve(payout.id)).rejects.toMatchObject({ code: 'resource_missing' });
    expect(() => f.emu.payout(a, 'usd')).toThrow(/no positive available/);

    await f.emu.webhooks.idle();
    const paidEvent = events().find((e) => e.type === 'payout.paid' && e.account === a)!;
    expect(paidEvent.data.object).toMatchObject({ id: payout.id, status: 'paid' });
    // Stripe delivers an event again when it retries: the same id and payload.
    f.emu.resend(paidEvent.id);
    await f.emu.webhooks.idle();
    expect(events().filter((e) => e.id === paidEvent.id)).toHaveLength(2);
  });

  it("sends a connected account's events only to Connect endpoints and to that account's own endpoint, and the platform's only to its own", async () => {
    const own = await startWebhookReceiver();
    const other = await startWebhookReceiver();
    try {
      const a = await onboardedAccount('Endpoints');
      f.emu.addWebhookEndpoint(own.url, 'whsec_own', { account: a });
      f.emu.addWebhookEndpoint(other.url, 'whsec_platform');
      const onA = await paid(a, 1_500);
      const onPlatform = await stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
      await f.emu.webhooks.idle();
      const ids = (r: WebhookReceiver) => r.received.map((x) => (JSON.parse(x.body) as Stripe.Event).data.object as { id: string }).map((o) => o.id);
      expect(new Set(ids(own))).toEqual(new Set([onA.id]));
      expect(ids(other)).toEqual([onPlatform.id]);
      expect(JSON.parse(own.received[0].body).account).toBe(a);
      expect(JSON.parse(other.received[0].body).account).toBeUndefined();
    } finally {
      await own.close();
      await other.close();
    }
  });
});
