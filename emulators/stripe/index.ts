// A stateful local Stripe: the /v1 endpoints Settle uses for card and bank-debit (ACH, BECS) payments, Stripe's
// test payment method ids, idempotency keys, per-key rate limits, its error shapes, and signed webhook deliveries;
// Connect (connected accounts, Account Links and the hosted onboarding page, the `Stripe-Account` header, Connect
// webhook endpoints), refunds, balance transactions with fees, and payouts,
// so the real stripe SDK can be pointed at it unchanged: `new Stripe(key, { host, port, protocol: 'http' })`.
//
// Middleware order (outermost first): counters, then authentication and the per-key rate limit, then injected
// faults, then the routes (which apply idempotency to POSTs). Faults run inside the limit so an injected outage
// still spends the caller's budget, as a real one does.
import { FaultInjector, type FaultSettings } from '../support/faults';
import { IdempotencyStore } from '../support/idempotency';
import { SlidingWindowLimiter } from '../support/limits';
import { EmulatorServer } from '../support/server';
import { authenticate, setCaller } from './auth';
import { payOut, registerBalanceRoutes } from './balance';
import { registerConnectRoutes, requireMore } from './connect';
import { registerCustomerRoutes } from './customers';
import { registerRefundRoutes, settlePendingRefund } from './refunds';
import { rateLimited, stripeShaped } from './errors';
import { disputeIntent, settleIntent } from './lifecycle';
import { registerPaymentIntentRoutes } from './payment-intents';
import { newId, StripeState, type StripeDispute, type StripeEvent, type StripePayout, type StripeRefund } from './state';
import { registerUnknownUrls, type Ctx } from './routes';
import { registerStripeJs } from './stripe-js';
import { WebhookDispatcher, type WebhookEndpointOptions, type WebhookOptions } from './webhooks';

export { StripeState, StripeAccount, API_VERSION } from './state';
export type {
  StripeCustomer, StripePaymentMethod, StripePaymentIntent, StripeCharge, StripeDispute, StripeEvent, PaymentIntentStatus, PaymentMethodType,
} from './state';
export { KNOWN_TEST_PAYMENT_METHODS } from './test-payment-methods';
export { WebhookDispatcher, signatureHeader, type WebhookDelivery, type WebhookEndpointOptions } from './webhooks';
export { completeAccountLink } from './connect';
export { stripeFeeOf } from './balance';

export interface StripeEmulatorOptions {
  port?: number;
  /** Requests per rolling second per API key before a 429 (Stripe's test mode allows 25, live mode 100). */
  requestsPerSecond?: number;
  webhooks?: WebhookOptions;
}

/** An API request as the SDK sent it: enough to send it again elsewhere. */
export interface RecordedStripeRequest {
  method: string;
  path: string;
  /** The query string without `?` (GET parameters), possibly empty. */
  query: string;
  rawBody: string;
  contentType?: string;
  stripeAccount?: string;
  idempotencyKey?: string;
  /** Whose key: a secret one (Settle's servers) or a publishable one (a payer's browser, Stripe.js). */
  caller: 'secret' | 'publishable';
}

export interface StripeEmulator {
  url: string;
  /** For `new Stripe(key, { host, port, protocol: 'http' })`. */
  host: string;
  port: number;
  /** Per account (API key): customers, payment methods, payment intents, charges, disputes, events. */
  state: StripeState;
  faults: FaultInjector;
  idempotency: IdempotencyStore;
  stats: { requests: number; http429: number };
  /** Endpoints, delivery log, and the delivered / failed counts; `idle()` waits for pending deliveries. */
  webhooks: WebhookDispatcher;
  /** An endpoint for the keys' own accounts; `{ connect: true }` a platform's Connect endpoint; `{ account }` one made on that account. */
  addWebhookEndpoint(url: string, secret: string, opts?: WebhookEndpointOptions): void;
  /** An automatic payout of a connected account's available balance in `currency` (`payout.created`, `payout.paid`). */
  payout(accountId: string, currency: string): StripePayout;
  /** Stripe disables charges on a connected account until `fields` are given (`account.updated`). */
  requireMore(accountId: string, fields: string[]): void;
  /**
   * From now on, keep every API request as it arrived (the contract test sends them through stripe-mock too).
   * Returns the live list; nothing is kept until this is called.
   */
  recordRequests(): RecordedStripeRequest[];
  /** Sends an event to its endpoints again, as Stripe does when it retries a delivery (same id, same payload). */
  resend(eventId: string): StripeEvent;
  /** The bank's answer to a debit in `processing`: it settled, or it failed (back to requires_payment_method). */
  settle(paymentIntentId: string, outcome: 'succeeded' | 'failed'): Promise<void>;
  /** A late rejection after success: a dispute on the charge (`charge.dispute.created`). */
  dispute(paymentIntentId: string): Promise<void>;
  /** A refund left `pending` (Stripe's asynchronous-success test card) succeeds now. */
  settleRefund(refundId: string): Promise<void>;
  close(): Promise<void>;
}

export async function startStripeEmulator(opts: StripeEmulatorOptions = {}): Promise<StripeEmulator> {
  const state = new StripeState();
  const idempotency = new IdempotencyStore();
  const webhooks = new WebhookDispatcher(opts.webhooks);
  const perSecond = new SlidingWindowLimiter(opts.requestsPerSecond ?? 100, 1000);
  const server = new EmulatorServer();
  const ctx: Ctx = { state, idempotency, webhooks, baseUrl: () => emulator.url };

  const intentOrThrow = (id: string) => {
    const found = state.findIntent(id);
    if (!found) throw new Error(`no payment intent ${id}`);
    return found;
  };
  const settle = (id: string, outcome: 'succeeded' | 'failed') => {
    const { account, intent } = intentOrThrow(id);
    settleIntent(ctx, account, intent, outcome);
  };
  const settleRefund = (id: string): StripeRefund => {
    const found = state.findRefund(id);
    if (!found) throw new Error(`no refund ${id}`);
    settlePendingRefund(ctx, found.account, found.refund);
    return found.refund;
  };
  const dispute = (id: string): StripeDispute => {
    const { account, intent } = intentOrThrow(id);
    return disputeIntent(ctx, account, intent);
  };

  const payout = (accountId: string, currency: string): StripePayout => {
    const account = state.connectedAccount(accountId) ?? [...state.accounts.values()].find((a) => a.id === accountId);
    if (!account) throw new Error(`no account ${accountId}`);
    return payOut(ctx, account, currency.toLowerCase());
  };
  const resend = (eventId: string): StripeEvent => {
    for (const account of state.all()) {
      const event = account.events.find((e) => e.id === eventId);
      if (event) {
        webhooks.enqueue(event, `resend:${event.id}`, account.id);
        return event;
      }
    }
    throw new Error(`no event ${eventId}`);
  };

  let recorded: RecordedStripeRequest[] | undefined;

  const emulator: StripeEmulator = {
    url: '',
    host: '127.0.0.1',
    port: 0,
    state,
    // An injected burst looks like Stripe's own rate limit.
    faults: new FaultInjector(() => rateLimited()),
    idempotency,
    stats: { requests: 0, http429: 0 },
    webhooks,
    addWebhookEndpoint: (url, secret, endpointOpts) => webhooks.add(url, secret, endpointOpts),
    payout,
    resend,
    recordRequests: () => (recorded ??= []),
    requireMore: (accountId, fields) => {
      const account = state.connectedAccount(accountId);
      if (!account) throw new Error(`no connected account ${accountId}`);
      requireMore(ctx, account, fields);
    },
    settle: async (id, outcome) => settle(id, outcome),
    dispute: async (id) => {
      dispute(id);
    },
    settleRefund: async (id) => {
      settleRefund(id);
    },
    async close() {
      webhooks.close();
      await server.close();
    },
  };

  // Counters see every answer, faults and throttling included; every answer carries a request id, as Stripe's do.
  server.use(async (req, next) => {
    const res = await next();
    emulator.stats.requests++;
    if (res.status === 429) emulator.stats.http429++;
    // Stripe.js calls the API from the payer's page (another origin), as it calls api.stripe.com.
    return { ...res, headers: { 'request-id': newId('req', 14), 'access-control-allow-origin': '*', ...res.headers } };
  });
  server.use(async (req, next) => {
    const caller = authenticate(req);
    if (!('apiKey' in caller)) return caller;
    recorded?.push({
      method: req.method,
      path: req.path,
      query: req.query.toString(),
      rawBody: req.rawBody,
      contentType: req.headers['content-type'],
      stripeAccount: req.headers['stripe-account'] as string | undefined,
      idempotencyKey: req.headers['idempotency-key'] as string | undefined,
      caller: caller.kind,
    });
    if (!perSecond.tryAcquire(caller.apiKey).ok) return rateLimited();
    setCaller(req, caller);
    return next();
  });
  server.use(stripeShaped(emulator.faults.middleware));

  registerCustomerRoutes(server, ctx);
  registerPaymentIntentRoutes(server, ctx);
  registerConnectRoutes(server, ctx);
  registerRefundRoutes(server, ctx);
  registerBalanceRoutes(server, ctx);
  registerStripeJs(server, ctx);
  registerUnknownUrls(server); // last: only what no route above matched

  // The control API, for tests and the sandbox (no middleware: never authenticated, throttled or faulted).
  const control = (fn: () => unknown, status = 200) => {
    try {
      const body = fn();
      return { status: body === undefined ? 204 : status, body };
    } catch (err) {
      return { status: 400, body: { message: (err as Error).message } };
    }
  };
  server.route('POST', '/_emulator/payment_intents/:id/settle', (req) => control(() => {
    const outcome = (req.body ?? {}).outcome;
    if (outcome !== 'succeeded' && outcome !== 'failed') throw new Error("outcome must be 'succeeded' or 'failed'");
    settle(req.params.id, outcome);
    return state.findIntent(req.params.id)!.intent;
  }));
  server.route('POST', '/_emulator/payment_intents/:id/dispute', (req) => control(() => dispute(req.params.id), 201));
  server.route('POST', '/_emulator/refunds/:id/settle', (req) => control(() => settleRefund(req.params.id)));
  server.route('POST', '/_emulator/webhook_endpoints', (req) => control(() => {
    const { url, secret, connect, account } = (req.body ?? {}) as { url?: unknown; secret?: unknown; connect?: unknown; account?: unknown };
    if (typeof url !== 'string' || typeof secret !== 'string' || !secret) throw new Error('url and secret are required');
    webhooks.add(url, secret, { connect: connect === true, ...(typeof account === 'string' ? { account } : {}) });
  }));
  server.route('POST', '/_emulator/accounts/:id/payouts', (req) => control(() => payout(req.params.id, String((req.body ?? {}).currency ?? 'usd')), 201));
  server.route('POST', '/_emulator/events/:id/resend', (req) => control(() => resend(req.params.id)));
  server.route('POST', '/_emulator/faults', (req) => control(() => {
    const { seed, ...settings } = (req.body ?? {}) as FaultSettings & { seed?: number };
    emulator.faults.set(settings, seed);
  }));
  server.route('DELETE', '/_emulator/faults', () => control(() => emulator.faults.clear()));
  server.route('GET', '/_emulator/state', () => ({
    status: 200,
    body: {
      ...state.snapshot(), stats: emulator.stats, faults: emulator.faults.counts, idempotencyReplays: idempotency.replays,
      webhooks: { endpoints: webhooks.endpoints.map((e) => e.url), delivered: webhooks.delivered, failed: webhooks.failed, deliveries: webhooks.deliveries },
    },
  }));

  emulator.url = await server.listen(opts.port ?? 0, emulator.host);
  emulator.port = Number(new URL(emulator.url).port);
  return emulator;
}
