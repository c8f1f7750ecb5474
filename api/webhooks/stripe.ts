// The Stripe webhook endpoint, one URL per merchant: `POST /webhooks/stripe/{merchantId}`. The signature is
// checked against the raw body with the merchant's endpoint secret (stripe.webhooks.constructEvent); a bad or
// missing one is a 400 and changes nothing. Each event is recorded by id before it is acted on, so a replay is
// acknowledged with no second effect.
import Router from '@koa/router';
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
  router.post('/webhooks/stripe/:merchantId', async (ctx) => {
    const merchantId = ctx.params.merchantId;
    const invalid = (why: string) => new ProblemError('webhook-signature-invalid', why);
    const raw = await readBodyText(ctx, deps.maxBodyBytes);
    const secret = MERCHANT_ID.test(merchantId) ? await stripeWebhookSecret(deps.db, deps.keyring, merchantId) : undefined;
    if (!secret) throw invalid('no Stripe webhook endpoint is configured for this merchant');
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
  });
  return router;
}
