// The Stripe webhook endpoints. One URL per merchant, `POST /webhooks/stripe/{merchantId}`, for an endpoint the
// merchant made on its own account; and the platform's Connect endpoint, `POST /webhooks/stripe/connect`, which
// gets the events of every merchant's connected account and routes each by `event.account` to its merchant. The
// signature is checked against the raw body with the endpoint's secret (stripe.webhooks.constructEvent); a bad or
// missing one is a 400 and changes nothing. A Connect event for an account no merchant has, or of the other mode
// (live endpoints also get test events), is acknowledged and logged, never applied. Each event is recorded by id
// before it is acted on, so a replay (or the same event through both endpoints) is acknowledged with no second effect.
import Router from '@koa/router';
import type { Context } from 'koa';
import type Stripe from 'stripe';
import { findStripeAccountById } from '../../db/stripe-accounts';
import { stripeWebhookSecret } from '../../db/stripe-webhooks';
import { readBodyText } from '../body';
import type { ApiDeps } from '../deps';
import { ProblemError } from '../problem';
import { handleStripeEvent, paymentIntentOf } from './stripe-events';

const MERCHANT_ID = /^mer_[0-9a-f]{24}$/;

function isEventShaped(event: unknown): boolean {
  const e = event as { id?: unknown; type?: unknown; created?: unknown } | null;
  return typeof e === 'object' && e !== null && !Array.isArray(e) && typeof e.id === 'string' && e.id.length > 0 && e.id.length <= 255
    && typeof e.type === 'string' && e.type.length <= 255 && Number.isSafeInteger(e.created);
}

export function stripeWebhookRouter(deps: ApiDeps): Router {
  const router = new Router();
  const invalid = (why: string) => new ProblemError('webhook-signature-invalid', why);

  /** The verified event of a delivery (the signature against the raw body with `secret`), or a 400. */
  async function verifiedEvent(ctx: Context, secret: string | undefined, missing: string): Promise<Stripe.Event> {
    const raw = await readBodyText(ctx, deps.maxBodyBytes);
    if (!secret) throw invalid(missing);
    const signature = ctx.get('stripe-signature');
    if (!signature) throw invalid('the Stripe-Signature header is missing');
    let event;
    try {
      event = deps.stripe.webhooks.constructEvent(raw, signature, secret);
    } catch {
      // Only that it failed: the library's own text (which of its checks, a documentation link) helps a forger, not Stripe.
      throw invalid('the Stripe-Signature header is not a valid signature of this body by this endpoint, or it is too old');
    }
    // A correct signature proves who sent the body, not that it is an event: without this check a signed `{}` or
    // `[]` reached the insert below and failed there with a 500 (found by test/integration/bad-input.test.ts).
    if (!isEventShaped(event)) {
      throw new ProblemError('validation-error', 'the body is not a Stripe event (id, type and created are required)',
        { errors: [{ in: 'body', path: '', message: 'must be an event with string id and type and integer created' }] });
    }
    return event;
  }

  /** Records the event for the merchant once, then acts on it; a replay is acknowledged and changes nothing. */
  async function recordAndHandle(ctx: Context, merchantId: string, event: Stripe.Event): Promise<void> {
    const recorded = await deps.db.insertInto('stripe_events')
      .values({ id: event.id, merchant_id: merchantId, type: event.type, payment_intent_id: paymentIntentOf(event) ?? null, handling: 'recorded', created: event.created })
      .onConflict((oc) => oc.columns(['merchant_id', 'id']).doNothing())
      .returning('id').executeTakeFirst();
    if (!recorded) {
      ctx.body = { received: true, duplicate: true };
      return;
    }
    const handling = await handleStripeEvent(deps, merchantId, event);
    await deps.db.updateTable('stripe_events').set({ handling }).where('merchant_id', '=', merchantId).where('id', '=', event.id).execute();
    ctx.state.log?.info({ eventId: event.id, type: event.type, handling }, 'stripe event');
    ctx.body = { received: true, handling };
  }

  router.post('/webhooks/stripe/connect', async (ctx) => {
    const event = await verifiedEvent(ctx, deps.stripeConnectWebhookSecret, 'no Stripe Connect endpoint secret is configured (STRIPE_CONNECT_WEBHOOK_SECRET)');
    const account = typeof event.account === 'string' ? event.account : undefined;
    const row = account ? await findStripeAccountById(deps.db, account) : undefined;
    const ignore = (why: string) => {
      ctx.state.log?.warn({ eventId: event.id, type: event.type, account, livemode: event.livemode }, `stripe connect event ignored: ${why}`);
      ctx.body = { received: true, handling: 'ignored' };
    };
    if (!row) return ignore(account ? 'no merchant has this connected account' : 'the event names no connected account');
    if (event.livemode !== row.livemode) return ignore(`a ${event.livemode ? 'live' : 'test'} event for a ${row.livemode ? 'live' : 'test'} account`);
    await recordAndHandle(ctx, row.merchant_id, event);
  });

  router.post('/webhooks/stripe/:merchantId', async (ctx) => {
    const merchantId = ctx.params.merchantId;
    const secret = MERCHANT_ID.test(merchantId) ? await stripeWebhookSecret(deps.db, deps.keyring, merchantId) : undefined;
    const event = await verifiedEvent(ctx, secret, 'no Stripe webhook endpoint is configured for this merchant');
    await recordAndHandle(ctx, merchantId, event);
  });
  return router;
}
