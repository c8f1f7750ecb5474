// The console's landing screen in one read: this month's payments by method, the last 30 days by day, how far the
// accounting sync is behind, open actions and recent messages. Aggregated in Postgres, for the key's merchant only.
import { sql } from 'kysely';
import { z } from 'zod';
import { CURRENCIES, formatAmount, type Currency } from '../../lib/money';
import type { ApiDeps } from '../deps';
import { defineRoute } from '../routing';

const DAYS = 30;
const total = z.object({ currency: z.enum(CURRENCIES), count: z.number(), amount: z.string(), amountMinor: z.number() });

export function overviewRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'get', path: '/v1/overview', operationId: 'getOverview', summary: "This month's payments by method, the last 30 days, sync backlog, open actions and messages", tag: 'merchant', auth: 'merchant',
      responses: { 200: { description: 'The overview', schema: z.object({
        month: z.string().describe('YYYY-MM (UTC)'),
        byMethod: z.array(total.extend({ method: z.enum(['card', 'bank_debit']) })),
        daily: z.array(total.extend({ day: z.string() })).describe(`Payments per day over the last ${DAYS} days (days without any are left out)`),
        sync: z.object({ pending: z.number(), failed: z.number(), notUploaded: z.number(), lastSyncedAt: z.string().nullable() }),
        openActions: z.number(),
        recentMessages: z.number().describe(`Messages of the last ${DAYS} days`),
        unreadMessages: z.number().describe('Messages nobody of the merchant marked read (any age)'),
      }) } },
      handler: async ({ state }) => {
        const merchantId = state.merchant.id;
        const now = new Date();
        const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
        const since = new Date(now.getTime() - DAYS * 86_400_000);
        const payments = deps.db.selectFrom('payments').where('merchant_id', '=', merchantId);
        const [byMethod, daily, sync, actions, messages] = await Promise.all([
          payments.where('created_at', '>=', monthStart).select(['method', 'currency', (eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.sum<string>('amount_minor').as('sum')])
            .groupBy(['method', 'currency']).orderBy('method').orderBy('currency').execute(),
          payments.where('created_at', '>=', since).select([sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD')`.as('day'), 'currency',
            (eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.sum<string>('amount_minor').as('sum')]).groupBy(['day', 'currency']).orderBy('day').execute(),
          payments.select([
            sql<string>`count(*) filter (where sync_status = 'pending')`.as('pending'), sql<string>`count(*) filter (where sync_status = 'failed')`.as('failed'),
            sql<string>`count(*) filter (where sync_status = 'not-uploaded')`.as('not_uploaded'), (eb) => eb.fn.max('synced_at').as('last')]).executeTakeFirstOrThrow(),
          deps.db.selectFrom('merchant_actions').where('merchant_id', '=', merchantId).where('resolved_at', 'is', null).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
          deps.db.selectFrom('merchant_messages').where('merchant_id', '=', merchantId)
            .select([sql<string>`count(*) filter (where created_at >= ${since})`.as('n'), sql<string>`count(*) filter (where read_at is null)`.as('unread')]).executeTakeFirstOrThrow(),
        ]);
        const money = (currency: string, n: string, sum: string | null) => {
          const amountMinor = Number(sum ?? 0);
          return { currency: currency as Currency, count: Number(n), amountMinor, amount: formatAmount(amountMinor, currency as Currency) };
        };
        return { status: 200, body: {
          month: monthStart.toISOString().slice(0, 7),
          byMethod: byMethod.map((r) => ({ method: r.method, ...money(r.currency, r.n, r.sum) })),
          daily: daily.map((r) => ({ day: r.day, ...money(r.currency, r.n, r.sum) })),
          sync: { pending: Number(sync.pending), failed: Number(sync.failed), notUploaded: Number(sync.not_uploaded), lastSyncedAt: sync.last ? new Date(sync.last as Date).toISOString() : null },
          openActions: Number(actions.n),
          recentMessages: Number(messages.n),
          unreadMessages: Number(messages.unread),
        } };
      },
    }),
  ];
}
