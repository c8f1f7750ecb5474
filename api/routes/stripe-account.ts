// The merchant's own Stripe account (Stripe Connect, direct charges). `POST /v1/integrations/stripe/account` makes
// the connected account once (controller properties: the full Stripe Dashboard, the account pays Stripe's fees,
// Stripe carries payment losses) and answers a fresh Account Link to Stripe's hosted onboarding; calling it again
// reuses the account and mints a new link (links are single-use and short-lived). The link's refresh_url (opened
// when a link expired or was used) mints another and sends the browser on; its return_url reads the account from
// Stripe, because coming back does not mean onboarding is done. `GET` shows what Stripe last said. Until Stripe
// enables charges, every way of taking a payment refuses (`requireChargesEnabled`).
import { createHash, randomBytes } from 'node:crypto';
import type Stripe from 'stripe';
import { z } from 'zod';
import type { Db } from '../../db/database';
import type { MerchantStripeAccount } from '../../db/schema';
import {
  findStripeAccount, findStripeAccountByRefreshHash, saveStripeAccount, setOnboardingRefreshHash, updateStripeAccountStatus,
} from '../../db/stripe-accounts';
import { idempotencyKey } from '../../lib/idempotency';
import type { ApiDeps } from '../deps';
import { html } from '../pay-now/html';
import { sendPage } from '../pay-now/layout';
import { ProblemError } from '../problem';
import { defineRoute, type RouteSpec } from '../routing';

/** Refuses (409 payments-unavailable) while the merchant's Stripe account cannot take charges. */
export async function requireChargesEnabled(db: Db, merchantId: string): Promise<void> {
  const row = await findStripeAccount(db, merchantId);
  if (row?.charges_enabled) return;
  throw new ProblemError('payments-unavailable', row
    ? `the merchant's Stripe account has not finished onboarding (Stripe still asks for: ${row.requirements_due.join(', ') || 'its review'}); payments can be taken once Stripe enables charges`
    : "the merchant has no Stripe account yet: create it and complete Stripe's onboarding (POST /v1/integrations/stripe/account)");
}

const accountView = z.object({
  accountId: z.string(),
  detailsSubmitted: z.boolean(),
  chargesEnabled: z.boolean(),
  payoutsEnabled: z.boolean(),
  requirements: z.array(z.string()).describe("What Stripe still asks for (its requirements.currently_due)"),
  disabledReason: z.string().nullable(),
  platformFeeBps: z.number().int().describe('The platform fee on each payment, in basis points (application_fee_amount)'),
});
const onboardingView = accountView.extend({ onboardingUrl: z.string().describe("Stripe's hosted onboarding: single-use, expires in minutes"), expiresAt: z.string() });

const viewOf = (row: MerchantStripeAccount): z.infer<typeof accountView> => ({
  accountId: row.account_id, detailsSubmitted: row.details_submitted, chargesEnabled: row.charges_enabled, payoutsEnabled: row.payouts_enabled,
  requirements: row.requirements_due, disabledReason: row.disabled_reason, platformFeeBps: row.platform_fee_bps,
});

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

export function stripeAccountRoutes(deps: ApiDeps): RouteSpec[] {
  const base = () => deps.publicUrl.replace(/\/$/, '');

  /** A fresh Account Link; its refresh and return URLs carry a new token that only this merchant's row knows (hashed). */
  async function onboardingLink(row: MerchantStripeAccount): Promise<Stripe.AccountLink> {
    const token = randomBytes(24).toString('base64url');
    await setOnboardingRefreshHash(deps.db, row.merchant_id, hashOf(token));
    return deps.stripe.accountLinks.create({
      account: row.account_id, type: 'account_onboarding',
      refresh_url: `${base()}/stripe/onboarding/refresh?token=${token}`, return_url: `${base()}/stripe/onboarding/return?token=${token}`,
    });
  }

  /** Stripe's current word on the account, kept; Stripe unreachable: what was kept last. */
  async function refreshed(row: MerchantStripeAccount): Promise<MerchantStripeAccount> {
    try {
      const account = await deps.stripe.accounts.retrieve(row.account_id);
      await updateStripeAccountStatus(deps.db, account);
      return (await findStripeAccount(deps.db, row.merchant_id))!;
    } catch (err) {
      deps.log.warn({ err: (err as Error).message, merchantId: row.merchant_id }, 'stripe account status unavailable');
      return row;
    }
  }

  const tokenQuery = z.object({ token: z.string().min(20).max(100) });

  return [
    defineRoute({
      method: 'post', path: '/v1/integrations/stripe/account', operationId: 'onboardStripeAccount', tag: 'integrations', auth: 'merchant', merchantRole: 'admin',
      summary: "Create the merchant's Stripe connected account (once) and get a fresh onboarding link",
      responses: {
        201: { description: 'The account was created; onboard it at onboardingUrl', schema: onboardingView },
        200: { description: 'The existing account, with a fresh onboarding link', schema: onboardingView },
      },
      handler: async ({ state, ctx }) => {
        const merchantId = state.merchant.id;
        let row = await findStripeAccount(deps.db, merchantId);
        const created = !row;
        if (!row) {
          const merchant = await deps.db.selectFrom('merchants').select('name').where('id', '=', merchantId).executeTakeFirstOrThrow();
          // One key per merchant: two first calls racing make one account at Stripe, and the row's insert keeps one.
          const account = await deps.stripe.accounts.create({
            controller: { fees: { payer: 'account' }, losses: { payments: 'stripe' }, stripe_dashboard: { type: 'full' } },
            business_profile: { name: merchant.name }, metadata: { settle_merchant_id: merchantId },
          }, { idempotencyKey: idempotencyKey(merchantId, 'stripe-connected-account') });
          row = await saveStripeAccount(deps.db, merchantId, { ...account, livemode: deps.stripeLivemode ?? false });
          ctx.state.log.info({ merchantId, accountId: row.account_id }, 'stripe connected account created');
        }
        const link = await onboardingLink(row);
        return {
          status: created ? 201 : 200,
          body: { ...viewOf(row), onboardingUrl: link.url, expiresAt: new Date(link.expires_at * 1000).toISOString() },
        };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/integrations/stripe/account', operationId: 'getStripeAccount', tag: 'integrations', auth: 'merchant',
      summary: "The merchant's Stripe account: whether it may take charges and receive payouts, and what Stripe still asks for",
      responses: { 200: { description: 'The account as Stripe reports it', schema: accountView }, 404: { description: 'No Stripe account was created yet' } },
      handler: async ({ state }) => {
        const row = await findStripeAccount(deps.db, state.merchant.id);
        if (!row) throw new ProblemError('not-found', 'no Stripe account was created for this merchant yet: POST /v1/integrations/stripe/account');
        return { status: 200, body: viewOf(await refreshed(row)) };
      },
    }),
    defineRoute({
      method: 'get', path: '/stripe/onboarding/refresh', operationId: 'stripeOnboardingRefresh', tag: 'integrations', auth: 'none',
      summary: "Where Stripe sends the browser when an onboarding link expired or was used: a new link, and on to it",
      query: tokenQuery,
      responses: { 303: { description: 'On to a fresh onboarding link' }, 404: { description: 'Not a link Settle handed out (or a newer one replaced it)' } },
      handler: async ({ query }) => {
        const row = await findStripeAccountByRefreshHash(deps.db, hashOf(query.token));
        if (!row) throw new ProblemError('not-found', 'this onboarding link is not known (a newer one replaced it): start again from Settle');
        const link = await onboardingLink(row);
        return { status: 303, headers: { location: link.url } };
      },
    }),
    defineRoute({
      method: 'get', path: '/stripe/onboarding/return', operationId: 'stripeOnboardingReturn', tag: 'integrations', auth: 'none',
      summary: 'Where Stripe sends the browser after onboarding: the account is read from Stripe and a plain page says where it stands',
      query: tokenQuery,
      responses: { 200: { description: 'An HTML page' }, 404: { description: 'Not a link Settle handed out' } },
      handler: async ({ query, ctx }) => {
        const row = await findStripeAccountByRefreshHash(deps.db, hashOf(query.token));
        if (!row) throw new ProblemError('not-found', 'this onboarding link is not known (a newer one replaced it)');
        const now = await refreshed(row);
        const text = now.charges_enabled
          ? 'Your Stripe account is ready: Settle can take payments for you.'
          : `Stripe has not enabled payments on your account yet${now.requirements_due.length ? ` (it still asks for: ${now.requirements_due.join(', ')})` : ''}. Settle will know as soon as Stripe does.`;
        // Onboarding starts from the console's Integrations screen (or an API client): the way back is there.
        sendPage(ctx, { title: 'Stripe — Settle', body: html`<div class="card"><h1>Stripe</h1><p id="outcome">${text}</p>
          <p><a href="${`${base()}/console/integrations`}">Back to Integrations in the Settle console</a></p></div>` });
        return { status: 200 };
      },
    }),
  ];
}

