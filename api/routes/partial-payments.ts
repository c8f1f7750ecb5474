// Partial payments (issue 27): whether payers may pay part of an invoice on the Pay Now page, and the least they may
// pay. The amount itself is always checked on the server (lib/payments/partial-payment.ts), never taken on trust.
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { defineRoute } from '../routing';

const settingsView = z.object({
  enabled: z.boolean(),
  minimumMinor: z.number().int().min(1).max(100_000_000).describe('The least a payer may pay of an invoice, in minor units of its currency (cents); an invoice owing less is paid in full'),
});

export function partialPaymentRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'get', path: '/v1/merchant/settings/partial-payments', operationId: 'getPartialPaymentSettings', tag: 'merchant', auth: 'merchant',
      summary: 'Whether payers may pay part of an invoice, and the least they may pay (off by default)',
      responses: { 200: { description: 'The settings', schema: settingsView } },
      handler: async ({ state }) => {
        const m = await deps.db.selectFrom('merchants').select(['partial_payments_enabled', 'partial_payment_minimum_minor']).where('id', '=', state.merchant.id).executeTakeFirstOrThrow();
        return { status: 200, body: { enabled: m.partial_payments_enabled, minimumMinor: m.partial_payment_minimum_minor } };
      },
    }),
    defineRoute({
      method: 'put', path: '/v1/merchant/settings/partial-payments', operationId: 'putPartialPaymentSettings', tag: 'merchant', auth: 'merchant',
      summary: 'Let payers pay part of an invoice (at least the minimum), or only the whole amount due',
      body: settingsView,
      responses: { 200: { description: 'Saved', schema: settingsView } },
      handler: async ({ body, state }) => {
        await deps.db.updateTable('merchants').set({ partial_payments_enabled: body.enabled, partial_payment_minimum_minor: body.minimumMinor }).where('id', '=', state.merchant.id).execute();
        return { status: 200, body };
      },
    }),
  ];
}
