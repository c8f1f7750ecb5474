// Payments: start a payment workflow, and read a payment (from the running workflow, or Postgres once it closed).
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import type { Payment } from '../../db/schema';
import { derivedId, newId } from '../../lib/ids';
import { CURRENCIES, formatAmount, parseAmount, toMajorUnits, type Currency } from '../../lib/money';
import { taskQueueName } from '../../lib/task-queues';
import { SettleAmount, SettleMerchantId, SettlePaymentId, SettleStatus } from '../../lib/temporal/search-attributes';
import { paymentStateQuery, paymentWorkflowId, type PaymentInput, type PaymentState } from '../../workflows/payments/definitions';
import { paymentWorkflow } from '../../workflows/payments/payment-workflow';
import type { ApiDeps } from '../deps';
import { notFound, ProblemError } from '../problem';
import { defineRoute } from '../routing';
import { plainText } from '../schemas';

// A running workflow answers a query in milliseconds; past this the caller gets a 503 instead of a hang.
const QUERY_DEADLINE_MS = 3_000;

const newPaymentBody = z
  .object({
    amount: z.string().max(32).describe('Decimal amount in major units, e.g. "125.50"'),
    currency: z.enum(CURRENCIES),
    reference: plainText(255).describe("The merchant's reference, e.g. an invoice number"),
  })
  .transform((body, ctx) => {
    const amount = parseAmount(body.amount, body.currency);
    if (!amount.ok) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: amount.reason });
      return z.NEVER;
    }
    return { ...body, amountMinor: amount.minor };
  });

const paymentView = z.object({
  id: z.string(),
  status: z.enum(['received', 'recorded']),
  amount: z.string(),
  currency: z.enum(CURRENCIES),
  reference: z.string(),
  recordedAt: z.string().nullable(),
});
type PaymentView = z.infer<typeof paymentView>;

const paymentIdParam = z.string().regex(/^pay_[0-9a-f]{24}$/, 'must be a payment id (pay_…)');

const fromState = (s: PaymentState): PaymentView => ({
  id: s.paymentId,
  status: s.status,
  amount: formatAmount(s.amountMinor, s.currency as Currency),
  currency: s.currency as Currency,
  reference: s.reference,
  recordedAt: s.recordedAt ?? null,
});

const fromRow = (p: Payment): PaymentView => ({
  id: p.id,
  status: p.status as PaymentView['status'],
  amount: formatAmount(p.amount_minor, p.currency as Currency),
  currency: p.currency as Currency,
  reference: p.reference,
  recordedAt: p.recorded_at?.toISOString() ?? null,
});

export function paymentRoutes(deps: ApiDeps) {
  /** The payment as the workflow knows it while it runs, else as Postgres recorded it. */
  async function readPayment(merchantId: string, paymentId: string): Promise<PaymentView | undefined> {
    const handle = deps.temporal.workflow.getHandle(paymentWorkflowId(merchantId, paymentId));
    try {
      const description = await handle.describe();
      if (description.status.name === 'RUNNING') {
        const state = await deps.temporal.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
          handle.query(paymentStateQuery),
        );
        return fromState(state);
      }
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) {
        const row = await findRow(merchantId, paymentId);
        if (row) return fromRow(row);
        deps.log.warn({ err: (err as Error).message, paymentId }, 'payment state unavailable');
        throw new ProblemError('not-ready', 'the payment status cannot be read right now; retry shortly');
      }
    }
    const row = await findRow(merchantId, paymentId);
    return row ? fromRow(row) : undefined;
  }

  function findRow(merchantId: string, paymentId: string) {
    return deps.db
      .selectFrom('payments')
      .selectAll()
      .where('id', '=', paymentId)
      .where('merchant_id', '=', merchantId)
      .executeTakeFirst();
  }

  /** A replayed request must be the same request; anything else would let one key move money twice. */
  function assertSameRequest(existing: PaymentView, input: PaymentInput) {
    const same =
      existing.currency === input.currency &&
      existing.amount === formatAmount(input.amountMinor, input.currency as Currency) &&
      existing.reference === input.reference;
    if (!same) {
      throw new ProblemError('idempotency-key-reused', 'this Idempotency-Key was used for a payment with other details', {
        paymentId: existing.id,
      });
    }
  }

  return [
    defineRoute({
      method: 'post',
      path: '/v1/payments',
      operationId: 'createPayment',
      summary: 'Take a payment (starts a payment workflow)',
      tag: 'payments',
      auth: 'merchant',
      headers: z.object({
        'idempotency-key': z
          .string()
          .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 visible ASCII characters')
          .optional()
          .describe('Repeat the request with the same key and get the same payment, never a second one.'),
      }),
      body: newPaymentBody,
      responses: {
        202: { description: 'Accepted: the workflow is running', schema: paymentView },
        200: { description: 'A replay of an earlier request with the same Idempotency-Key', schema: paymentView },
        409: { description: 'The Idempotency-Key was used with other details' },
      },
      handler: async ({ headers, body, state }) => {
        const merchantId = state.merchant.id;
        const key = headers['idempotency-key'];
        const paymentId = key ? derivedId('pay', merchantId, key) : newId('pay');
        const input: PaymentInput = {
          paymentId,
          merchantId,
          amountMinor: body.amountMinor,
          currency: body.currency,
          reference: body.reference,
        };
        const replay = async () => {
          const existing = await readPayment(merchantId, paymentId);
          if (!existing) return undefined;
          assertSameRequest(existing, input);
          return { status: 200, body: existing, headers: { 'Idempotent-Replayed': 'true' } };
        };
        if (key) {
          const earlier = await replay();
          if (earlier) return earlier;
        }
        try {
          await deps.temporal.workflow.start(paymentWorkflow, {
            workflowId: paymentWorkflowId(merchantId, paymentId),
            taskQueue: taskQueueName(deps.taskQueuePrefix, 'workflows'),
            args: [input],
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            typedSearchAttributes: [
              { key: SettleMerchantId, value: merchantId },
              { key: SettlePaymentId, value: paymentId },
              { key: SettleStatus, value: 'received' },
              { key: SettleAmount, value: toMajorUnits(input.amountMinor, body.currency) },
            ],
          });
        } catch (err) {
          // Two requests with one key raced: the loser answers with the winner's payment.
          if (err instanceof WorkflowExecutionAlreadyStartedError) {
            const earlier = await replay();
            if (earlier) return earlier;
          }
          throw err;
        }
        const view = fromState({ ...input, status: 'received' });
        return { status: 202, body: view, headers: { Location: `/v1/payments/${paymentId}` } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/payments/:paymentId',
      operationId: 'getPayment',
      summary: 'A payment and its status',
      tag: 'payments',
      auth: 'merchant',
      params: z.object({ paymentId: paymentIdParam }),
      responses: { 200: { description: 'The payment', schema: paymentView }, 404: { description: 'No such payment for this merchant' } },
      handler: async ({ params, state }) => {
        const payment = await readPayment(state.merchant.id, params.paymentId);
        if (!payment) throw notFound('payment');
        return { status: 200, body: payment };
      },
    }),
  ];
}
