// The local Stripe emulator through the real stripe SDK (built by Settle's createStripeClient): customers, card and
// bank-debit payments, declines, idempotency, saved methods, publishable keys, rate limits and signed webhooks.
// Assertions look at what the SDK returns and throws and at the emulator's own state.
import Stripe from 'stripe';
import { startStripe, startWebhookReceiver, type StripeFixture } from '../../support/stripe';

let f: StripeFixture;
let stripe: Stripe;
beforeAll(async () => {
  f = await startStripe();
  stripe = f.stripe;
});
afterAll(() => f.close());
afterEach(() => f.emu.faults.clear());

const cardIntent = (extra: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
  stripe.paymentIntents.create({ amount: 12_500, currency: 'usd', allowed_payment_method_types: ['card'], ...extra });

describe('customers', () => {
  it('creates and retrieves a customer, which another account cannot see', async () => {
    const created = await stripe.customers.create({ name: 'Acme IT', email: 'ap@acme.example', phone: '+61 2 5550 1234', metadata: { merchant: 'mer_1' } });
    expect(created).toMatchObject({ object: 'customer', livemode: false, name: 'Acme IT', email: 'ap@acme.example', metadata: { merchant: 'mer_1' } });
    expect(created.id).toMatch(/^cus_[A-Za-z0-9]+$/);
    expect(await stripe.customers.retrieve(created.id)).toEqual(expect.objectContaining({ id: created.id, phone: '+61 2 5550 1234' }));
    const other = f.clientFor('sk_test_othermerchant');
    await expect(other.customers.retrieve(created.id)).rejects.toMatchObject({ type: 'StripeInvalidRequestError', code: 'resource_missing', statusCode: 404 });
    await expect(stripe.customers.create({ name: 'x', emial: 'typo' } as Stripe.CustomerCreateParams)).rejects.toMatchObject({ code: 'parameter_unknown', param: 'emial' });
    await expect(f.clientFor('sk_live_nope').customers.retrieve(created.id)).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
  });
});

describe('card payments', () => {
  it('succeeds with pm_card_visa: a concrete payment method and a charge', async () => {
    const intent = await cardIntent({ amount: 12_345, metadata: { quote: 'Q-42' }, description: 'Invoice 1001' });
    expect(intent).toMatchObject({ object: 'payment_intent', status: 'requires_payment_method', amount: 12_345, metadata: { quote: 'Q-42' } });
    expect(intent.client_secret).toMatch(new RegExp(`^${intent.id}_secret_[A-Za-z0-9]+$`));
    const paid = await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
    expect(paid).toMatchObject({ status: 'succeeded', amount_received: 12_345, last_payment_error: null });
    expect(paid.payment_method).toMatch(/^pm_[A-Za-z0-9]{24}$/);
    const pm = await stripe.paymentMethods.retrieve(paid.payment_method as string);
    expect(pm).toMatchObject({ type: 'card', customer: null, card: { brand: 'visa', last4: '4242' } });
    expect(f.account().charges.get(paid.latest_charge as string)).toMatchObject({ status: 'succeeded', amount: 12_345, payment_intent: intent.id });
    // Used once without a customer: Stripe refuses it the second time.
    const again = await cardIntent();
    await expect(stripe.paymentIntents.confirm(again.id, { payment_method: pm.id })).rejects.toMatchObject({ type: 'StripeInvalidRequestError', param: 'payment_method' });
  });

  it('declines (StripeCardError with decline_code), then succeeds on the same intent with another card', async () => {
    const intent = await cardIntent();
    const declined = await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_chargeDeclined' }).catch((e: unknown) => e);
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(declined).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'generic_decline', payment_intent: { id: intent.id, status: 'requires_payment_method' } });
    await expect(stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_chargeDeclinedInsufficientFunds' }))
      .rejects.toMatchObject({ type: 'StripeCardError', decline_code: 'insufficient_funds' });
    const failed = await stripe.paymentIntents.retrieve(intent.id);
    expect(failed).toMatchObject({ status: 'requires_payment_method', payment_method: null, last_payment_error: { code: 'card_declined', decline_code: 'insufficient_funds' } });

    const paid = await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_mastercard' });
    expect(paid).toMatchObject({ status: 'succeeded', last_payment_error: null });
    expect(await stripe.paymentMethods.retrieve(paid.payment_method as string)).toMatchObject({ card: { brand: 'mastercard', last4: '4444' } });
    expect(f.account().events.filter((e) => (e.data.object as { id: string }).id === intent.id).map((e) => e.type))
      .toEqual(['payment_intent.created', 'payment_intent.payment_failed', 'payment_intent.payment_failed', 'payment_intent.succeeded']);
  });

  it('refuses a payment method whose type the intent does not allow, and confirming a finished intent', async () => {
    const intent = await cardIntent();
    await expect(stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_usBankAccount' }))
      .rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, code: 'payment_intent_invalid_parameter' });
    await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
    await expect(stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' })).rejects.toMatchObject({ code: 'payment_intent_unexpected_state' });
  });
});

describe('idempotency', () => {
  it('answers a repeated key with the first intent, and refuses the key with other parameters', async () => {
    const before = f.account().paymentIntents.size;
    const replaysBefore = f.emu.idempotency.replays;
    const params: Stripe.PaymentIntentCreateParams = { amount: 5_000, currency: 'usd', allowed_payment_method_types: ['card'], metadata: { payment: 'pay_1' } };
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'pay_1-create' });
    const second = await stripe.paymentIntents.create(params, { idempotencyKey: 'pay_1-create' });
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(f.account().paymentIntents.size).toBe(before + 1);
    expect(f.emu.idempotency.replays).toBe(replaysBefore + 1);
    const conflict = stripe.paymentIntents.create({ ...params, amount: 5_001 }, { idempotencyKey: 'pay_1-create' });
    await expect(conflict).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(f.account().paymentIntents.size).toBe(before + 1);
  });
});

describe('bank debits', () => {
  it('ACH: processing until the bank settles it, or fails', async () => {
    const ach = { amount: 90_000, currency: 'usd', allowed_payment_method_types: ['us_bank_account'], confirm: true, payment_method: 'pm_usBankAccount' };
    const settling = await stripe.paymentIntents.create(ach);
    expect(settling.status).toBe('processing');
    expect(await stripe.paymentMethods.retrieve(settling.payment_method as string)).toMatchObject({ type: 'us_bank_account', us_bank_account: { last4: '6789' } });
    await f.emu.settle(settling.id, 'succeeded');
    expect(await stripe.paymentIntents.retrieve(settling.id)).toMatchObject({ status: 'succeeded', amount_received: 90_000 });

    const failing = await stripe.paymentIntents.create(ach);
    await f.emu.settle(failing.id, 'failed');
    expect(await stripe.paymentIntents.retrieve(failing.id)).toMatchObject({ status: 'requires_payment_method', last_payment_error: { code: 'insufficient_funds' } });
    await expect(f.emu.settle(failing.id, 'succeeded')).rejects.toThrow(/not processing/);
    // stripe-node 23 sends allowed_payment_method_types: Stripe answers with the ones the currency allows.
    await expect(stripe.paymentIntents.create({ ...ach, currency: 'aud' })).rejects.toMatchObject({ param: 'allowed_payment_method_types' });
    const aud = await stripe.paymentIntents.create({ amount: 5_000, currency: 'aud', allowed_payment_method_types: ['card', 'us_bank_account'] });
    expect([aud.allowed_payment_method_types, aud.payment_method_types]).toEqual([['card', 'us_bank_account'], ['card']]);
    // Older clients send payment_method_types, which Stripe takes literally.
    const legacy = { amount: 5_000, currency: 'aud', payment_method_types: ['card', 'us_bank_account'] } as Stripe.PaymentIntentCreateParams;
    await expect(stripe.paymentIntents.create(legacy)).rejects.toMatchObject({ type: 'StripeInvalidRequestError', param: 'currency' });
  });

  it('BECS: settled through the control API', async () => {
    const becs = await stripe.paymentIntents.create({ amount: 4_400, currency: 'aud', allowed_payment_method_types: ['au_becs_debit'] });
    const processing = await stripe.paymentIntents.confirm(becs.id, { payment_method: 'pm_auBecsDebit' });
    expect(processing.status).toBe('processing');
    const res = await fetch(`${f.emu.url}/_emulator/payment_intents/${becs.id}/settle`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome: 'succeeded' }),
    });
    expect(res.status).toBe(200);
    expect((await stripe.paymentIntents.retrieve(becs.id)).status).toBe('succeeded');
  });
});

describe('saved payment methods', () => {
  it('attaches with setup_future_usage, then charges off-session with the saved method', async () => {
    const customer = await stripe.customers.create({ name: 'Recurring Co' });
    const first = await cardIntent({ amount: 2_000, customer: customer.id, setup_future_usage: 'off_session' });
    const paid = await stripe.paymentIntents.confirm(first.id, { payment_method: 'pm_card_visa' });
    const saved = await stripe.customers.listPaymentMethods(customer.id, { type: 'card' });
    expect(saved.data.map((pm) => pm.id)).toEqual([paid.payment_method]);
    expect(saved.data[0].customer).toBe(customer.id);

    const offSession = await cardIntent({ amount: 2_000, customer: customer.id, payment_method: saved.data[0].id, confirm: true, off_session: true });
    expect(offSession).toMatchObject({ status: 'succeeded', payment_method: saved.data[0].id });
    const stranger = await stripe.customers.create({ name: 'Someone else' });
    await expect(cardIntent({ amount: 2_000, customer: stranger.id, payment_method: saved.data[0].id, confirm: true, off_session: true }))
      .rejects.toMatchObject({ type: 'StripeInvalidRequestError', param: 'payment_method' });
  });
});

describe('cancel', () => {
  it('cancels an open intent, and refuses to cancel a succeeded one', async () => {
    const open = await cardIntent();
    expect(await stripe.paymentIntents.cancel(open.id, { cancellation_reason: 'requested_by_customer' }))
      .toMatchObject({ status: 'canceled', cancellation_reason: 'requested_by_customer', canceled_at: expect.any(Number) });
    const paid = await cardIntent({ amount: 1_000, payment_method: 'pm_card_visa', confirm: true });
    await expect(stripe.paymentIntents.cancel(paid.id)).rejects.toMatchObject({ code: 'payment_intent_unexpected_state' });
    await expect(stripe.paymentIntents.confirm(open.id, { payment_method: 'pm_card_visa' })).rejects.toMatchObject({ code: 'payment_intent_unexpected_state' });
  });
});

describe('publishable key (Stripe.js from the browser)', () => {
  it('retrieves and confirms only with the client_secret, and does nothing else', async () => {
    const intent = await cardIntent();
    const browser = f.clientFor(f.publishableKey);
    const secret = intent.client_secret!;
    expect((await browser.paymentIntents.retrieve(intent.id, { client_secret: secret })).id).toBe(intent.id);
    await expect(browser.paymentIntents.retrieve(intent.id, { client_secret: `${intent.id}_secret_wrong` })).rejects.toMatchObject({ param: 'client_secret' });
    await expect(browser.paymentIntents.retrieve(intent.id)).rejects.toMatchObject({ param: 'client_secret' });
    await expect(browser.paymentIntents.create({ amount: 100, currency: 'usd' })).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    const confirmed = await browser.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa', client_secret: secret } as Stripe.PaymentIntentConfirmParams);
    expect(confirmed.status).toBe('succeeded');
    // Stripe.js itself sends the key as a form field, not a header.
    const res = await fetch(`${f.emu.url}/v1/payment_intents/${intent.id}?key=${f.publishableKey}&client_secret=${secret}`);
    expect(await res.json()).toMatchObject({ id: intent.id, status: 'succeeded' });
  });
});

describe('rate limits and faults', () => {
  it('answers 429 past the per-key limit (StripeRateLimitError; the SDK does not retry it)', async () => {
    const limited = await startStripe({ requestsPerSecond: 5 });
    try {
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => limited.stripe.customers.create({ name: 'Burst' })));
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(results.length - rejected.length).toBe(5);
      expect(rejected).toHaveLength(3);
      for (const r of rejected) expect(r.reason).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
      expect(limited.emu.stats).toEqual({ requests: 8, http429: 3 });
      expect(limited.account().customers.size).toBe(5);
      // The limit is per key: another account is not held back.
      expect((await limited.clientFor('sk_test_other').customers.create({ name: 'Other' })).id).toMatch(/^cus_/);
    } finally {
      await limited.close();
    }
  });

  it('injected outages are Stripe-shaped: the SDK retries them, then throws StripeAPIError', async () => {
    f.emu.faults.set({ errorRate: 1 });
    const before = f.emu.faults.counts.errors;
    await expect(stripe.customers.create({ name: 'During outage' })).rejects.toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(f.emu.faults.counts.errors - before).toBe(3); // the first try and maxNetworkRetries: 2
    f.emu.faults.set({ rateLimitBurst: { count: 1, retryAfterSeconds: 1 } });
    await expect(stripe.customers.create({ name: 'Burst' })).rejects.toBeInstanceOf(Stripe.errors.StripeRateLimitError);
  });
});

describe('webhooks', () => {
  const secret = 'whsec_settle_test';
  const idOf = (event: Stripe.Event) => {
    const object = event.data.object as { object: string; id: string; payment_intent?: string };
    return object.object === 'dispute' ? object.payment_intent! : object.id;
  };

  it('delivers every event signed as Stripe signs, in order per payment intent', async () => {
    const w = await startStripe({ webhooks: { backoffMs: 10 } });
    const receiver = await startWebhookReceiver();
    try {
      w.emu.addWebhookEndpoint(receiver.url, secret);
      const card = await w.stripe.paymentIntents.create({ amount: 3_000, currency: 'usd', allowed_payment_method_types: ['card'] });
      await w.stripe.paymentIntents.confirm(card.id, { payment_method: 'pm_card_chargeDeclined' }).catch(() => undefined);
      await w.stripe.paymentIntents.confirm(card.id, { payment_method: 'pm_card_visa' });
      const ach = await w.stripe.paymentIntents.create({
        amount: 70_000, currency: 'usd', allowed_payment_method_types: ['us_bank_account'], payment_method: 'pm_usBankAccount', confirm: true,
      });
      await w.emu.settle(ach.id, 'succeeded');
      await w.emu.dispute(ach.id);
      const canceled = await w.stripe.paymentIntents.create({ amount: 800, currency: 'usd' });
      await w.stripe.paymentIntents.cancel(canceled.id);
      await w.emu.webhooks.idle();

      const events = receiver.received.map((r) => w.stripe.webhooks.constructEvent(r.body, r.signature, secret));
      const typesOf = (id: string) => events.filter((e) => idOf(e) === id).map((e) => e.type);
      expect(typesOf(card.id)).toEqual(['payment_intent.created', 'payment_intent.payment_failed', 'payment_intent.succeeded']);
      expect(typesOf(ach.id)).toEqual(['payment_intent.created', 'payment_intent.processing', 'payment_intent.succeeded', 'charge.dispute.created']);
      expect(typesOf(canceled.id)).toEqual(['payment_intent.created', 'payment_intent.canceled']);
      // Each event carries the object as it was then, not as it is now.
      const processing = events.find((e) => e.type === 'payment_intent.processing')!;
      expect(processing.data.object).toMatchObject({ id: ach.id, status: 'processing' });
      expect(events.find((e) => e.type === 'charge.dispute.created')!.data.object).toMatchObject({ object: 'dispute', amount: 70_000, reason: 'debit_not_authorized' });
      expect(events.every((e) => /^evt_/.test(e.id) && e.api_version === w.account().events[0].api_version)).toBe(true);
      expect(w.emu.webhooks.delivered).toBe(9);
      expect(w.emu.webhooks.failed).toBe(0);

      const { body, signature } = receiver.received[0];
      expect(() => w.stripe.webhooks.constructEvent(body, signature, 'whsec_wrong')).toThrow(Stripe.errors.StripeSignatureVerificationError);
      expect(() => w.stripe.webhooks.constructEvent(body.replace('payment_intent', 'payment_intenT'), signature, secret))
        .toThrow(Stripe.errors.StripeSignatureVerificationError);
    } finally {
      await receiver.close();
      await w.close();
    }
  });

  it('retries a failed delivery, gives up after a few tries, and stops on close', async () => {
    const w = await startStripe({ webhooks: { backoffMs: 10 } });
    const flaky = await startWebhookReceiver();
    const down = await startWebhookReceiver();
    try {
      flaky.failNext = 2;
      down.failNext = 1_000;
      w.emu.addWebhookEndpoint(flaky.url, secret);
      const added = await fetch(`${w.emu.url}/_emulator/webhook_endpoints`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: down.url, secret }),
      });
      expect(added.status).toBe(204);
      await w.stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
      await w.emu.webhooks.idle();
      expect(flaky.received).toHaveLength(1);
      expect(w.emu.webhooks.deliveries.map((d) => [d.url, d.ok, d.attempts])).toEqual(expect.arrayContaining([[flaky.url, true, 3], [down.url, false, 4]]));
      expect([w.emu.webhooks.delivered, w.emu.webhooks.failed]).toEqual([1, 1]);
    } finally {
      await Promise.all([flaky.close(), down.close()]);
      await w.close();
    }

    const slow = await startStripe({ webhooks: { backoffMs: 60_000 } });
    const unreachable = await startWebhookReceiver();
    unreachable.failNext = 1_000;
    slow.emu.addWebhookEndpoint(unreachable.url, secret);
    await slow.stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    const started = Date.now();
    await slow.close();
    await slow.emu.webhooks.idle();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect([slow.emu.webhooks.delivered, slow.emu.webhooks.failed]).toEqual([0, 0]);
    await unreachable.close();
  });
});
