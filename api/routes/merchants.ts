// Merchants: created by an admin, each with API keys that scope every merchant route to that merchant.
import { z } from 'zod';
import { createMerchant, findMerchant, issueApiKey, merchantNotificationEmail, revokeApiKey, setMerchantNotificationEmail } from '../../db/merchants';
import type { Merchant } from '../../db/schema';
import type { ApiDeps } from '../deps';
import { currentMerchant } from '../middleware/auth';
import { notFound } from '../problem';
import { defineRoute } from '../routing';
import { merchantIdParam, plainText } from '../schemas';


const merchantView = z.object({ id: z.string(), name: z.string(), createdAt: z.string() });
const apiKeyView = z.object({
  id: z.string(),
  key: z.string().describe('The key itself. Shown only in this response: store it now.'),
  prefix: z.string(),
});

const notificationEmailView = z.object({ email: z.email().max(254).nullable() });

const toMerchantView = (m: Merchant) => ({ id: m.id, name: m.name, createdAt: m.created_at.toISOString() });

export function merchantRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/admin/merchants',
      operationId: 'createMerchant',
      summary: 'Create a merchant and its first API key',
      tag: 'admin',
      auth: 'admin',
      body: z.object({ name: plainText(200) }),
      responses: { 201: { description: 'Created', schema: z.object({ merchant: merchantView, apiKey: apiKeyView }) } },
      handler: async ({ body }) => {
        const { merchant, apiKey } = await createMerchant(deps.db, body.name);
        return { status: 201, body: { merchant: toMerchantView(merchant), apiKey } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/admin/merchants/:merchantId/api-keys',
      operationId: 'issueMerchantApiKey',
      summary: 'Issue another API key for a merchant (for rotation)',
      tag: 'admin',
      auth: 'admin',
      params: z.object({ merchantId: merchantIdParam }),
      responses: { 201: { description: 'Issued', schema: apiKeyView }, 404: { description: 'No such merchant' } },
      handler: async ({ params }) => {
        if (!(await findMerchant(deps.db, params.merchantId))) throw notFound('merchant');
        return { status: 201, body: await issueApiKey(deps.db, params.merchantId) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/admin/merchants/:merchantId/api-keys/:keyId',
      operationId: 'revokeMerchantApiKey',
      summary: 'Revoke a merchant API key; it stops working at once',
      tag: 'admin',
      auth: 'admin',
      params: z.object({ merchantId: merchantIdParam, keyId: z.string().regex(/^key_[0-9a-f]{24}$/, 'must be a key id (key_…)') }),
      responses: { 204: { description: 'Revoked' }, 404: { description: 'No such active key for this merchant' } },
      handler: async ({ params }) => {
        if (!(await revokeApiKey(deps.db, params.merchantId, params.keyId))) throw notFound('API key');
        // Other API processes forget it when Postgres notifies them; this one must not wait for that.
        deps.apiKeys.forget();
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/merchant',
      operationId: 'getMerchant',
      summary: 'The merchant the API key belongs to',
      tag: 'merchant',
      auth: 'merchant',
      responses: { 200: { description: 'The merchant', schema: merchantView } },
      handler: async ({ state }) => ({ status: 200, body: toMerchantView(await currentMerchant(deps.db, state.merchant.id)) }),
    }),
    defineRoute({
      method: 'get', path: '/v1/merchant/settings/notification-email', operationId: 'getNotificationEmail', tag: 'merchant', auth: 'merchant',
      summary: 'Where Settle emails the merchant about its account (an accounting connection that must be reconnected)',
      responses: { 200: { description: 'The address, or null when none is set', schema: notificationEmailView } },
      handler: async ({ state }) => ({ status: 200, body: { email: (await merchantNotificationEmail(deps.db, deps.keyring, state.merchant.id)) ?? null } }),
    }),
    defineRoute({
      method: 'put', path: '/v1/merchant/settings/notification-email', operationId: 'putNotificationEmail', tag: 'merchant', auth: 'merchant',
      summary: 'Set the address Settle emails the merchant at about its account; null: no such emails (Messages and Actions still say it)',
      body: notificationEmailView,
      responses: { 200: { description: 'Saved', schema: notificationEmailView } },
      handler: async ({ body, state }) => {
        await setMerchantNotificationEmail(deps.db, deps.keyring, state.merchant.id, body.email);
        return { status: 200, body: { email: body.email } };
      },
    }),
  ];
}
