// Stripe payouts of the merchant's connected account and their deposit in the books (the payout workflow writes the
// rows: activities/payouts). `GET /v1/payouts` lists them, newest arrival first; `GET /v1/payouts/{id}` shows one.
// Merchant-scoped: another merchant's payout is a 404, as an unknown one is.
import { z } from 'zod';
import type { Payout } from '../../db/schema';
import { CURRENCIES, formatAmount, type Currency } from '../../lib/money';
import type { ApiDeps } from '../deps';
import { notFound } from '../problem';
import { defineRoute, type RouteSpec } from '../routing';

const payoutView = z.object({
  id: z.string(),
  stripePayoutId: z.string(),
  amount: z.string().describe('What reached the bank, in major units'),
  currency: z.enum(CURRENCIES),
  arrivalDate: z.string().describe('YYYY-MM-DD'),
  books: z.object({
    status: z.enum(['pending', 'posted', 'failed']).describe('The deposit in the books'),
    documentId: z.string().nullable().describe('The deposit in the books (Xero: the bank transfer; QuickBooks: the Deposit)'),
    records: z.array(z.object({ kind: z.string(), id: z.string() })).describe('Everything the deposit made'),
    failure: z.string().nullable(),
  }),
  createdAt: z.string(),
});

const viewOf = (p: Payout): z.infer<typeof payoutView> => ({
  id: p.id, stripePayoutId: p.stripe_payout_id, amount: formatAmount(p.amount_minor, p.currency as Currency), currency: p.currency as Currency,
  arrivalDate: p.arrival_date,
  books: { status: p.books_status, documentId: p.books_records[0]?.id ?? null, records: p.books_records, failure: p.books_failure },
  createdAt: p.created_at.toISOString(),
});

export function payoutRoutes(deps: ApiDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'get', path: '/v1/payouts', operationId: 'listPayouts', tag: 'payments', auth: 'merchant',
      summary: "Stripe payouts to the merchant's bank and their deposit in the books, newest arrival first",
      query: z.object({
        status: z.enum(['pending', 'posted', 'failed']).optional().describe('The deposit in the books'),
        page: z.coerce.number().int().min(1).default(1),
        pageSize: z.coerce.number().int().min(1).max(200).default(50),
      }),
      responses: { 200: { description: 'A page of payouts', schema: z.object({ page: z.number(), pageSize: z.number(), total: z.number(), payouts: z.array(payoutView) }) } },
      handler: async ({ query, state }) => {
        let q = deps.db.selectFrom('payouts').where('merchant_id', '=', state.merchant.id);
        if (query.status) q = q.where('books_status', '=', query.status);
        const total = Number((await q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
        const rows = await q.selectAll().orderBy('arrival_date', 'desc').orderBy('created_at', 'desc').orderBy('id', 'desc')
          .limit(query.pageSize).offset((query.page - 1) * query.pageSize).execute();
        return { status: 200, body: { page: query.page, pageSize: query.pageSize, total, payouts: rows.map(viewOf) } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/payouts/:payoutId', operationId: 'getPayout', tag: 'payments', auth: 'merchant',
      summary: 'A Stripe payout and its deposit in the books',
      params: z.object({ payoutId: z.string().regex(/^po_[0-9a-f]{24}$/, 'must be a payout id (po_…)') }),
      responses: { 200: { description: 'The payout', schema: payoutView }, 404: { description: 'No such payout for this merchant' } },
      handler: async ({ params, state }) => {
        const row = await deps.db.selectFrom('payouts').selectAll().where('merchant_id', '=', state.merchant.id).where('id', '=', params.payoutId).executeTakeFirst();
        if (!row) throw notFound('payout');
        return { status: 200, body: viewOf(row) };
      },
    }),
  ];
}
