// The merchant's settings for quote payments: the ConnectWise Sell (CPQ) integration (on/off, its API key —
// generate, display again, regenerate — and the methods CPQ may offer), the payment methods the merchant has
// enabled, and the "Prepayment Processed Successfully" event notification.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { configureCpqIntegration, displayCpqApiKey, findCpqIntegration, generateCpqApiKey } from '../../db/cpq-integrations';
import type { CpqIntegration } from '../../db/schema';
import { saveStripeWebhookSecret, stripeWebhookSecret } from '../../db/stripe-webhooks';
import { open, seal } from '../../lib/crypto/sealed-box';
import { newId } from '../../lib/ids';
import { PAYMENT_METHOD_KINDS } from '../../lib/quotes/methods';
import { PREPAYMENT_PROCESSED } from '../../activities/notifications/prepayment-processed';
import type { ApiDeps } from '../deps';
import { currentMerchant } from '../middleware/auth';
import { notFound, ProblemError } from '../problem';
import { defineRoute } from '../routing';

const methods = z.array(z.enum(PAYMENT_METHOD_KINDS)).max(PAYMENT_METHOD_KINDS.length).transform((m) => [...new Set(m)]);
// What answers carry (a transform has no output schema: the document, and the console's types, would say `unknown`).
const methodList = z.array(z.enum(PAYMENT_METHOD_KINDS));
const cpqView = z.object({ enabled: z.boolean(), allowedMethods: methodList, hasApiKey: z.boolean(), updatedAt: z.string() });
const notificationView = z.object({
  event: z.literal(PREPAYMENT_PROCESSED),
  webhookUrl: z.string().nullable(),
  email: z.string().nullable(),
  signingSecret: z.string().describe('Verify the Settle-Signature header (t=…,v1=HMAC-SHA256 of "t.body") with it'),
});

const cpqViewOf = (row: CpqIntegration | undefined) => ({
  enabled: row?.enabled ?? false,
  allowedMethods: row?.allowed_methods ?? ['card' as const],
  hasApiKey: Boolean(row?.api_key_hash),
  updatedAt: (row?.updated_at ?? new Date(0)).toISOString(),
});

const stripeWebhookView = z.object({ url: z.string(), configured: z.boolean() });

export function integrationRoutes(deps: ApiDeps) {
  const stripeWebhookUrl = (merchantId: string) => `${deps.publicUrl.replace(/\/$/, '')}/webhooks/stripe/${merchantId}`;

  async function notificationOf(merchantId: string) {
    const row = await deps.db.selectFrom('notification_subscriptions').selectAll().where('merchant_id', '=', merchantId).where('event', '=', PREPAYMENT_PROCESSED).executeTakeFirst();
    if (!row) return undefined;
    return {
      event: PREPAYMENT_PROCESSED, webhookUrl: row.webhook_url,
      email: row.email_sealed ? open(deps.keyring, row.email_sealed, row.id) : null,
      signingSecret: open(deps.keyring, row.secret_sealed, row.id),
    };
  }

  return [
    defineRoute({
      method: 'get', path: '/v1/integrations/cpq', operationId: 'getCpqIntegration', summary: 'The ConnectWise Sell (CPQ) integration', tag: 'integrations', auth: 'merchant', merchantRole: 'admin',
      responses: { 200: { description: 'The integration', schema: cpqView } },
      handler: async ({ state }) => ({ status: 200, body: cpqViewOf(await findCpqIntegration(deps.db, state.merchant.id)) }),
    }),
    defineRoute({
      method: 'put', path: '/v1/integrations/cpq', operationId: 'configureCpqIntegration', summary: 'Enable or disable the CPQ integration and choose what CPQ may offer', tag: 'integrations', auth: 'merchant', merchantRole: 'admin',
      body: z.object({ enabled: z.boolean(), allowedMethods: methods.default(['card']).describe('Offered by CPQ; never more than the merchant has enabled') }),
      responses: { 200: { description: 'The integration', schema: cpqView } },
      handler: async ({ body, state }) => ({ status: 200, body: cpqViewOf(await configureCpqIntegration(deps.db, state.merchant.id, body)) }),
    }),
    defineRoute({
      method: 'post', path: '/v1/integrations/cpq/api-key', operationId: 'generateCpqApiKey', summary: 'Generate (or regenerate) the key CPQ calls Settle with; the old one stops working at once', tag: 'integrations', auth: 'merchant', merchantRole: 'admin',
      responses: { 201: { description: 'The new key', schema: z.object({ apiKey: z.string() }) } },
      handler: async ({ state }) => ({ status: 201, body: { apiKey: await generateCpqApiKey(deps.db, deps.keyring, state.merchant.id) } }),
    }),
    defineRoute({
      method: 'get', path: '/v1/integrations/cpq/api-key', operationId: 'displayCpqApiKey', summary: 'Display the CPQ key again (to paste into CPQ)', tag: 'integrations', auth: 'merchant', merchantRole: 'admin',
      responses: { 200: { description: 'The key', schema: z.object({ apiKey: z.string() }) }, 404: { description: 'No key was generated yet' } },
      handler: async ({ state }) => {
        const row = await findCpqIntegration(deps.db, state.merchant.id);
        const apiKey = row && displayCpqApiKey(deps.keyring, row);
        if (!apiKey) throw notFound('a CPQ API key');
        return { status: 200, body: { apiKey } };
      },
    }),
    defineRoute({
      method: 'put', path: '/v1/integrations/stripe/webhook', operationId: 'configureStripeWebhook', summary: "Store the signing secret of the merchant's Stripe webhook endpoint", tag: 'integrations', auth: 'merchant', merchantRole: 'admin',
      body: z.object({ signingSecret: z.string().regex(/^whsec_[A-Za-z0-9_-]{8,200}$/, 'must be a Stripe endpoint secret (whsec_…)') }),
      responses: { 200: { description: 'The URL to give Stripe as the endpoint', schema: stripeWebhookView } },
      handler: async ({ body, state }) => {
        await saveStripeWebhookSecret(deps.db, deps.keyring, state.merchant.id, body.signingSecret);
        return { status: 200, body: { url: stripeWebhookUrl(state.merchant.id), configured: true } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/integrations/stripe/webhook', operationId: 'getStripeWebhook', summary: "The merchant's Stripe webhook endpoint", tag: 'integrations', auth: 'merchant', merchantRole: 'admin',
      responses: { 200: { description: 'Where Stripe sends events, and whether a secret is stored', schema: stripeWebhookView } },
      handler: async ({ state }) => ({ status: 200, body: {
        url: stripeWebhookUrl(state.merchant.id), configured: Boolean(await stripeWebhookSecret(deps.db, deps.keyring, state.merchant.id)),
      } }),
    }),
    defineRoute({
      method: 'get', path: '/v1/payment-methods', operationId: 'getPaymentMethods', summary: 'The payment methods the merchant has enabled', tag: 'integrations', auth: 'merchant',
      responses: { 200: { description: 'Enabled methods', schema: z.object({ methods: methodList }) } },
      handler: async ({ state }) => ({ status: 200, body: { methods: (await currentMerchant(deps.db, state.merchant.id)).payment_methods } }),
    }),
    defineRoute({
      method: 'put', path: '/v1/payment-methods', operationId: 'setPaymentMethods', summary: 'Enable payment methods (what the processor account takes)', tag: 'integrations', auth: 'merchant', merchantRole: 'admin',
      body: z.object({ methods }),
      responses: { 200: { description: 'Enabled methods', schema: z.object({ methods: methodList }) } },
      handler: async ({ body, state }) => {
        await deps.db.updateTable('merchants').set({ payment_methods: body.methods }).where('id', '=', state.merchant.id).execute();
        return { status: 200, body: { methods: body.methods } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/notifications/prepayment-processed', operationId: 'getPrepaymentNotification', summary: 'The "Prepayment Processed Successfully" subscription', tag: 'integrations', auth: 'merchant', merchantRole: 'admin',
      responses: { 200: { description: 'The subscription', schema: notificationView }, 404: { description: 'Not subscribed' } },
      handler: async ({ state }) => {
        const view = await notificationOf(state.merchant.id);
        if (!view) throw notFound('the subscription');
        return { status: 200, body: view };
      },
    }),
    defineRoute({
      method: 'put', path: '/v1/notifications/prepayment-processed', operationId: 'subscribePrepaymentNotification', summary: 'Subscribe to "Prepayment Processed Successfully" by webhook and/or email', tag: 'integrations', auth: 'merchant', merchantRole: 'admin',
      body: z.object({ webhookUrl: z.url({ protocol: /^https?$/ }).max(2048).optional(), email: z.email().max(254).optional() }),
      responses: { 200: { description: 'The subscription, with the secret webhooks are signed with', schema: notificationView } },
      handler: async ({ body, state }) => {
        if (!body.webhookUrl && !body.email) throw new ProblemError('validation-error', 'give a webhookUrl, an email, or both', { errors: [{ in: 'body', path: '', message: 'webhookUrl or email is required' }] });
        const existing = await deps.db.selectFrom('notification_subscriptions').select(['id', 'secret_sealed']).where('merchant_id', '=', state.merchant.id).where('event', '=', PREPAYMENT_PROCESSED).executeTakeFirst();
        const id = existing?.id ?? newId('sub');
        const values = { webhook_url: body.webhookUrl ?? null, email_sealed: body.email ? seal(deps.keyring, body.email, id) : null };
        if (existing) await deps.db.updateTable('notification_subscriptions').set(values).where('id', '=', id).execute();
        else await deps.db.insertInto('notification_subscriptions').values({ id, merchant_id: state.merchant.id, event: PREPAYMENT_PROCESSED, ...values,
          secret_sealed: seal(deps.keyring, `whsec_${randomBytes(24).toString('base64url')}`, id) })
          .onConflict((oc) => oc.constraint('notification_subscriptions_merchant_event').doNothing()).execute();
        return { status: 200, body: (await notificationOf(state.merchant.id))! };
      },
    }),
  ];
}
