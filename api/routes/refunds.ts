// Refunds of a payment taken through Stripe: `POST /v1/payments/{paymentId}/refunds` checks the amount against what is
// left to refund (lib/payments/refund-rules.ts) under a lock on the payment, records the refund under its
// Idempotency-Key and starts its workflow (the Stripe refund, then the reversal in the books); the same key again
// answers the same refund, never a second one. `GET …/refunds/{refundId}` reads it back.
// A quote payment (CPQ "Accept and Pay", id qp_…) is a payment taken through Stripe too, and is refunded through the
// same route with its own id in the path: one way to refund whatever the payer paid by card, whichever page took it.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { sql } from 'kysely';
import { z } from 'zod';
import type { PaymentRefund } from '../../db/schema';
import { derivedId, newId } from '../../lib/ids';
import { CURRENCIES, formatAmount, parseAmount, type Currency } from '../../lib/money';
import { refundDecision } from '../../lib/payments/refund-rules';
import { surchargeRefundMinor } from '../../lib/surcharges';
import { merchantSurcharges } from '../../db/surcharges';
import { taskQueueName } from '../../lib/task-queues';
import { refundWorkflowId, type RefundInput } from '../../workflows/refunds/definitions';
import { refundWorkflow } from '../../workflows/refunds/refund-workflow';
import type { Db } from '../../db/database';
import type { ApiDeps } from '../deps';
import { notFound, ProblemError } from '../problem';
import { defineRoute } from '../routing';
import { amountText } from '../schemas';

const REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

const refundView = z.object({
  id: z.string(),
  paymentId: z.string(),
  amount: z.string(),
  currency: z.enum(CURRENCIES),
  reason: z.enum(REASONS).nullable(),
  origin: z.enum(['api', 'dashboard']).describe('Asked for through this API, or made in the Stripe dashboard'),
  status: z.enum(['requested', 'succeeded', 'failed']).describe("Stripe's outcome"),
  failure: z.string().nullable(),
  surcharge: z.string().describe('The card surcharge given back with the invoices\' amount (by the merchant\'s surcharge refund rule); Stripe refunds amount + surcharge'),
  createdAt: z.string().describe('When the refund was asked for (or seen, for a dashboard refund)'),
  books: z.object({
    status: z.enum(['pending', 'reversed', 'failed', 'not-posted']),
    records: z.array(z.object({ kind: z.string(), id: z.string() })).describe('What the reversal made in the books'),
  }),
});
type RefundView = z.infer<typeof refundView>;

const viewOf = (r: PaymentRefund): RefundView => ({
  id: r.id, paymentId: (r.payment_id ?? r.quote_payment_id)!, amount: formatAmount(r.amount_minor, r.currency as Currency), currency: r.currency as Currency,
  reason: r.reason as RefundView['reason'], origin: r.origin, status: r.status, failure: r.failure, surcharge: formatAmount(r.surcharge_minor, r.currency as Currency),
  createdAt: r.created_at.toISOString(),
  books: { status: r.books_status, records: r.books_records },
});

const paymentIdParam = z.string().regex(/^(pay|qp)_[0-9a-f]{24}$/, 'must be a payment id (pay_…) or a quote payment id (qp_…)');

interface Refundable {
  column: 'payment_id' | 'quote_payment_id';
  id: string;
  amountMinor: number;
  currency: string;
  paymentIntentId: string | null;
}

/**
 * The payment or quote payment a refund is asked for, locked (its row is the lock: two refunds of one payment are
 * decided one after the other); undefined when the merchant has none by that id. A quote payment is refundable once
 * its money was collected (paid_at).
 */
async function lockRefundable(trx: Db, merchantId: string, id: string): Promise<Refundable | undefined> {
  if (id.startsWith('qp_')) {
    const quote = await trx.selectFrom('quote_payments').select(['id', 'amount_minor', 'currency', 'payment_intent_id', 'paid_at'])
      .where('id', '=', id).where('merchant_id', '=', merchantId).forUpdate().executeTakeFirst();
    if (!quote) return undefined;
    return { column: 'quote_payment_id', id: quote.id, amountMinor: quote.amount_minor, currency: quote.currency, paymentIntentId: quote.paid_at ? quote.payment_intent_id : null };
  }
  const payment = await trx.selectFrom('payments').select(['id', 'amount_minor', 'currency', 'stripe_payment_intent_id'])
    .where('id', '=', id).where('merchant_id', '=', merchantId).forUpdate().executeTakeFirst();
  if (!payment) return undefined;
  return { column: 'payment_id', id: payment.id, amountMinor: payment.amount_minor, currency: payment.currency, paymentIntentId: payment.stripe_payment_intent_id };
}

/** Starts the refund's workflow unless it runs already (a replayed request after a crash between insert and start). */
export async function startRefundWorkflow(deps: ApiDeps, input: RefundInput): Promise<void> {
  try {
    await deps.temporal.workflow.start(refundWorkflow, {
      workflowId: refundWorkflowId(input.merchantId, input.refundId),
      taskQueue: taskQueueName(deps.taskQueuePrefix, 'workflows'),
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

export function refundRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/payments/:paymentId/refunds',
      operationId: 'refundPayment',
      summary: 'Refund a payment (pay_…) or a quote payment (qp_…) in full or in part (starts a refund workflow)',
      tag: 'payments',
      auth: 'merchant',
      params: z.object({ paymentId: paymentIdParam }),
      headers: z.object({
        'idempotency-key': z.string().regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 visible ASCII characters').optional()
          .describe('Repeat the request with the same key and get the same refund, never a second one.'),
      }),
      body: z.object({
        amount: amountText.optional().describe('In major units, e.g. "25.00"; absent: everything left to refund'),
        reason: z.enum(REASONS).optional(),
      }),
      responses: {
        202: { description: 'Accepted: the refund workflow is running', schema: refundView },
        200: { description: 'A replay of an earlier request with the same Idempotency-Key', schema: refundView },
        404: { description: 'No such payment or quote payment for this merchant' },
        409: { description: 'The Idempotency-Key was used for another refund' },
        422: { description: 'More than is left to refund, nothing left, or a payment not taken through Stripe' },
      },
      handler: async ({ params, headers, body, state }) => {
        const merchantId = state.merchant.id;
        const key = headers['idempotency-key'] ?? newId('key');
        const refundId = derivedId('rfd', merchantId, key);
        const outcome = await deps.db.transaction().execute(async (trx) => {
          const payment = await lockRefundable(trx, merchantId, params.paymentId);
          if (!payment) throw notFound('payment');
          const currency = payment.currency as Currency;
          let requestedMinor: number | undefined;
          if (body.amount !== undefined) {
            const parsed = parseAmount(body.amount, currency);
            if (!parsed.ok) throw new ProblemError('validation-error', parsed.reason, { errors: [{ in: 'body', path: 'amount', message: parsed.reason }] });
            requestedMinor = parsed.minor;
          }
          const earlier = await trx.selectFrom('payment_refunds').selectAll().where('merchant_id', '=', merchantId).where('idempotency_key', '=', key).executeTakeFirst();
          if (earlier) {
            const same = earlier[payment.column] === payment.id && (requestedMinor === undefined || requestedMinor === earlier.amount_minor) && (body.reason ?? null) === earlier.reason;
            if (!same) throw new ProblemError('idempotency-key-reused', 'this Idempotency-Key was used for another refund', { refundId: earlier.id });
            return { row: earlier, replay: true };
          }
          if (!payment.paymentIntentId) {
            throw new ProblemError('refund-not-possible', payment.column === 'quote_payment_id'
              ? 'this quote payment has not been paid through Stripe, so there is nothing to refund'
              : 'this payment was not taken through Stripe, so Settle cannot refund it');
          }
          const { refunded } = await trx.selectFrom('payment_refunds').select(sql<string>`coalesce(sum(amount_minor), 0)`.as('refunded'))
            .where(payment.column, '=', payment.id).where('status', '!=', 'failed').executeTakeFirstOrThrow();
          const decision = refundDecision({ paidMinor: payment.amountMinor, refundedMinor: Number(refunded), requestedMinor });
          if (!decision.ok) throw new ProblemError('refund-not-possible', decision.reason);
          // A surcharged payment or quote payment (issue 27): the merchant's rule decides whether its share goes back too.
          const surcharge = await trx.selectFrom('payment_surcharges').select('surcharge_minor').where(payment.column, '=', payment.id).executeTakeFirst();
          let surchargeMinor = 0;
          if (surcharge) {
            const before = await trx.selectFrom('payment_refunds').select(sql<string>`coalesce(sum(surcharge_minor), 0)`.as('surcharge'))
              .where(payment.column, '=', payment.id).where('status', '!=', 'failed').executeTakeFirstOrThrow();
            surchargeMinor = surchargeRefundMinor({ paidMinor: payment.amountMinor, surchargeMinor: surcharge.surcharge_minor, refundedBeforeMinor: Number(refunded),
              surchargeRefundedBeforeMinor: Number(before.surcharge), refundMinor: decision.amountMinor, refundSurcharge: (await merchantSurcharges(trx, merchantId))?.refundSurcharge ?? true });
          }
          const row = await trx.insertInto('payment_refunds').values({
            id: refundId, merchant_id: merchantId, [payment.column]: payment.id, idempotency_key: key, amount_minor: decision.amountMinor, currency: payment.currency,
            reason: body.reason ?? null, origin: 'api', surcharge_minor: surchargeMinor,
          }).returningAll().executeTakeFirstOrThrow();
          return { row, replay: false };
        });
        const paymentId = (outcome.row.payment_id ?? outcome.row.quote_payment_id)!;
        await startRefundWorkflow(deps, { merchantId, refundId: outcome.row.id, paymentId });
        const location = `/v1/payments/${paymentId}/refunds/${outcome.row.id}`;
        const replyHeaders: Record<string, string> = outcome.replay ? { 'Idempotent-Replayed': 'true', Location: location } : { Location: location };
        return { status: outcome.replay ? 200 : 202, body: viewOf(outcome.row), headers: replyHeaders };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/payments/:paymentId/refunds',
      operationId: 'listRefunds',
      summary: "A payment's refunds, oldest first (asked through the API or made in the Stripe dashboard), each with its outcome",
      tag: 'payments',
      auth: 'merchant',
      params: z.object({ paymentId: paymentIdParam }),
      responses: { 200: { description: 'The refunds (none: an empty list)', schema: z.object({ refunds: z.array(refundView) }) }, 404: { description: 'No such payment or quote payment for this merchant' } },
      handler: async ({ params, state }) => {
        // The payment first: another merchant's payment id is a 404, never an empty list that says it exists.
        const quote = params.paymentId.startsWith('qp_');
        const payment = await deps.db.selectFrom(quote ? 'quote_payments' : 'payments').select('id').where('id', '=', params.paymentId)
          .where('merchant_id', '=', state.merchant.id).executeTakeFirst();
        if (!payment) throw notFound('payment');
        const rows = await deps.db.selectFrom('payment_refunds').selectAll().where('merchant_id', '=', state.merchant.id)
          .where(quote ? 'quote_payment_id' : 'payment_id', '=', params.paymentId).orderBy('created_at').orderBy('id').execute();
        return { status: 200, body: { refunds: rows.map(viewOf) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/payments/:paymentId/refunds/:refundId',
      operationId: 'getRefund',
      summary: 'A refund of a payment, its outcome at Stripe and in the books',
      tag: 'payments',
      auth: 'merchant',
      params: z.object({ paymentId: paymentIdParam, refundId: z.string().regex(/^rfd_[0-9a-f]{24}$/, 'must be a refund id (rfd_…)') }),
      responses: { 200: { description: 'The refund', schema: refundView }, 404: { description: 'No such refund of this payment for this merchant' } },
      handler: async ({ params, state }) => {
        const row = await deps.db.selectFrom('payment_refunds').selectAll().where('merchant_id', '=', state.merchant.id)
          .where(params.paymentId.startsWith('qp_') ? 'quote_payment_id' : 'payment_id', '=', params.paymentId).where('id', '=', params.refundId).executeTakeFirst();
        if (!row) throw notFound('refund');
        return { status: 200, body: viewOf(row) };
      },
    }),
  ];
}
