// How every Stripe route runs: the caller's account, the decoded parameters, publishable keys refused unless the
// route allows them, errors answered in Stripe's shape, `expand[]`, and idempotency on every POST. stripe-node
// sends an `Idempotency-Key` on every POST (its own, if the caller gave none), so a retried write after a lost
// answer replays the first answer instead of charging twice. The answer is copied when it is made, so a replay
// shows the object as it was then, as Stripe's does. A `Stripe-Account` header runs the call on one of the key's
// connected accounts (Connect); idempotency keys are kept per account, as Stripe keeps them.
import type { IdempotencyStore } from '../support/idempotency';
import type { EmulatorRequest, EmulatorResponse, EmulatorServer } from '../support/server';
import { callerOf, publishableKeyRefused, type Caller } from './auth';
import { accountInvalid, idempotencyConflict, invalidRequest, StripeApiError, unrecognizedUrl } from './errors';
import { fingerprintOf, optionalStringArray, paramsOf, type Params } from './form';
import { API_VERSION, newId, nowSeconds, type StripeAccount, type StripeEvent, type StripeState } from './state';
import type { WebhookDispatcher } from './webhooks';

export interface Ctx {
  state: StripeState;
  idempotency: IdempotencyStore;
  webhooks: WebhookDispatcher;
  /** Where the emulator listens (`http://127.0.0.1:port`): hosted pages' URLs start with it. */
  baseUrl(): string;
}

export interface RouteInput {
  req: EmulatorRequest;
  caller: Caller;
  /** The account the call runs on: the key's own, or the connected account its `Stripe-Account` header names. */
  account: StripeAccount;
  /** The key's own account (the platform, for Connect calls). */
  platform: StripeAccount;
  params: Params;
}

/** A route answers with a Stripe object (sent with 200) or throws a StripeApiError. */
export type StripeRoute = (input: RouteInput) => object;

/**
 * Records an event on the account and queues it for the webhook endpoints; `orderKey` orders its deliveries. An
 * event of a connected account names it in `account` (what a Connect endpoint routes by).
 */
export function emit(ctx: Ctx, account: StripeAccount, type: string, object: object, orderKey: string,
  previousAttributes?: Record<string, unknown>): StripeEvent {
  const event: StripeEvent = {
    id: newId('evt'),
    object: 'event',
    ...(account.platform ? { account: account.id } : {}),
    api_version: API_VERSION,
    created: nowSeconds(),
    livemode: false,
    type,
    data: { object: structuredClone(object), ...(previousAttributes ? { previous_attributes: previousAttributes } : {}) },
    pending_webhooks: 0,
    request: { id: null, idempotency_key: null },
  };
  event.pending_webhooks = ctx.webhooks.endpointsFor(event, account.id).length;
  account.events.push(event);
  ctx.webhooks.enqueue(event, orderKey, account.id);
  return event;
}

const EXPANDABLE = new Set(['customer', 'payment_method', 'latest_charge', 'charge', 'payment_intent', 'balance_transaction']);

/** Top-level `expand[]`: an id field replaced by the object it names. */
function expand(account: StripeAccount, body: Record<string, unknown>, paths: string[]): void {
  for (const path of paths) {
    if (!EXPANDABLE.has(path) || !(path in body)) throw invalidRequest(`This property cannot be expanded (${path}).`, 'expand');
    const id = body[path];
    if (typeof id === 'string') body[path] = structuredClone(account.find(id) ?? id);
  }
}

function run(ctx: Ctx, input: RouteInput, handler: StripeRoute): EmulatorResponse {
  try {
    const body = structuredClone(handler(input)) as Record<string, unknown>;
    expand(input.account, body, optionalStringArray(input.params, 'expand') ?? []);
    return { status: 200, body };
  } catch (err) {
    if (err instanceof StripeApiError) return err.toResponse();
    throw err;
  }
}

export function api(server: EmulatorServer, ctx: Ctx, method: 'GET' | 'POST', path: string, handler: StripeRoute,
  opts: { publishable?: boolean } = {}): void {
  server.route(method, path, async (req) => {
    const caller = callerOf(req);
    if (!caller) throw new Error('no caller: the authentication middleware did not run');
    if (caller.kind === 'publishable' && !opts.publishable) return publishableKeyRefused();
    const params = paramsOf(req);
    // Stripe.js sends its key, and a connected account, as fields of the request rather than headers.
    const fromParam = caller.viaParam && typeof params._stripe_account === 'string' ? params._stripe_account : undefined;
    if (caller.viaParam) {
      delete params.key;
      delete params._stripe_account;
    }
    const platform = ctx.state.account(caller.apiKey);
    const header = req.headers['stripe-account'] ?? fromParam;
    let account = platform;
    if (typeof header === 'string' && header !== '') {
      const connected = platform.connected.get(header);
      if (!connected) return accountInvalid(caller.apiKey, header);
      account = connected;
    }
    const input: RouteInput = { req, caller, account, platform, params };
    if (method !== 'POST') return run(ctx, input, handler);

    const key = req.headers['idempotency-key'];
    const idempotencyKey = typeof key === 'string' && key !== '' ? key : undefined;
    let fresh: EmulatorResponse | undefined;
    let conflict: EmulatorResponse | undefined;
    const answer = await ctx.idempotency.once(
      input.account.id,
      idempotencyKey,
      `${method} ${req.path} ${fingerprintOf(params)}`,
      () => (fresh = run(ctx, input, handler)),
      () => (conflict = idempotencyConflict(idempotencyKey ?? '')),
    );
    // Stripe marks a replayed answer, which is how a client can tell a retry changed nothing.
    const replayed = answer !== fresh && answer !== conflict;
    return replayed ? { ...answer, headers: { ...answer.headers, 'idempotent-replayed': 'true' } } : answer;
  });
}

/** Anything else under /v1 is answered as Stripe answers an unknown URL (the shared server's 404 has no `error`). */
export function registerUnknownUrls(server: EmulatorServer): void {
  for (const method of ['GET', 'POST', 'DELETE']) {
    for (const path of ['/v1/:a', '/v1/:a/:b', '/v1/:a/:b/:c', '/v1/:a/:b/:c/:d', '/v1/:a/:b/:c/:d/:e']) {
      server.route(method, path, (req) => unrecognizedUrl(req.method, req.path));
    }
  }
}
