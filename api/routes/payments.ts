// Payments: start a payment workflow, and read a payment (from the running workflow, or Postgres once it closed).
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import type { Payment, PaymentApplication } from '../../db/schema';
import { derivedId, newId } from '../../lib/ids';
import { CURRENCIES, formatAmount, parseAmount, toMajorUnits, type Currency } from '../../lib/money';
import { taskQueueName } from '../../lib/task-queues';
import { SettleAmount, SettleMerchantId, SettlePaymentId, SettleStatus } from '../../lib/temporal/search-attributes';
import { paymentStateQuery, paymentWorkflowId, type PaymentInput, type PaymentState, type PaymentSync } from '../../workflows/payments/definitions';
import { paymentWorkflow } from '../../workflows/payments/payment-workflow';
import type { ApiDeps } from '../deps';
import { notFound, ProblemError } from '../problem';
import { defineRoute } from '../routing';
import { plainText, amountText } from '../schemas';

// A running workflow answers a query in milliseconds; past this the caller gets a 503 instead of a hang.
const QUERY_DEADLINE_MS = 3_000;

const MAX_APPLICATIONS = 50;

const newPaymentBody = z
  .object({
    amount: amountText.describe('Decimal amount in major units, e.g. "125.50"'),
    currency: z.enum(CURRENCIES),
    reference: plainText(255).describe("The merchant's reference, e.g. an invoice number"),
    channel: z.enum(['virtual_terminal', 'batch_debit']).default('virtual_terminal')
      .describe('How it was taken: keyed in the virtual terminal, or part of a batch debit (never uploaded: not tied to a customer)'),
    method: z.enum(['card', 'bank_debit']).default('card'),
    invoices: z.array(z.object({
      invoiceId: z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9-]+$/, 'must be an accounting invoice id'),
      amount: amountText,
    })).max(MAX_APPLICATIONS).default([]).describe('Accounting invoices this payment pays, posted against them at once'),
    paidOn: z.iso.date().optional().describe('YYYY-MM-DD; today when absent'),
  })
  .transform((body, ctx) => {
    const amount = parseAmount(body.amount, body.currency);
    if (!amount.ok) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: amount.reason });
      return z.NEVER;
    }
    const applications: PaymentApplication[] = [];
    for (const [i, invoice] of body.invoices.entries()) {
      const applied = parseAmount(invoice.amount, body.currency);
      if (!applied.ok) ctx.addIssue({ code: 'custom', path: ['invoices', i, 'amount'], message: applied.reason });
      else applications.push({ invoiceId: invoice.invoiceId, amountMinor: applied.minor });
    }
    if (new Set(body.invoices.map((i) => i.invoiceId)).size !== body.invoices.length) {
      ctx.addIssue({ code: 'custom', path: ['invoices'], message: 'an invoice may appear once' });
    }
    if (applications.reduce((sum, a) => sum + a.amountMinor, 0) > amount.minor) {
      ctx.addIssue({ code: 'custom', path: ['invoices'], message: 'the invoices add up to more than the payment' });
    }
    if (body.channel === 'batch_debit' && body.invoices.length) {
      ctx.addIssue({ code: 'custom', path: ['invoices'], message: 'a batch debit is not tied to a customer, so it pays no invoice' });
    }
    if (body.paidOn && body.paidOn > new Date().toISOString().slice(0, 10)) {
      ctx.addIssue({ code: 'custom', path: ['paidOn'], message: 'must not be in the future' });
    }
    return { ...body, amountMinor: amount.minor, applications };
  });

const syncView = z.object({
  status: z.enum(['pending', 'synced', 'not-uploaded', 'failed']),
  reason: z.string().nullable().describe('Why it was not uploaded, or what the accounting platform refused'),
  syncedAt: z.string().nullable(),
  postings: z.array(z.object({ invoiceId: z.string(),
    invoiceNumber: z.string().nullable().describe("The invoice's number in the books (e.g. INV-0042); null for payments posted before Settle kept it"),
    amount: z.string(), accountingPaymentId: z.string(), url: z.string().describe('The invoice in Xero or QuickBooks') })),
});

const paymentView = z.object({
  id: z.string(),
  status: z.enum(['received', 'recorded']),
  amount: z.string(),
  currency: z.enum(CURRENCIES),
  reference: z.string(),
  channel: z.enum(['pay_now', 'virtual_terminal', 'batch_debit', 'auto_payment']),
  method: z.enum(['card', 'bank_debit']),
  invoices: z.array(z.object({
    invoiceId: z.string(),
    amount: z.string().describe('What this payment pays of the invoice'),
    number: z.string().optional().describe("The invoice's number (GET, where Settle's copy has the invoice)"),
    invoiceTotal: z.string().optional().describe("The invoice's total (GET, where Settle's copy has the invoice)"),
    partOfInvoice: z.boolean().optional().describe('This payment pays less than the invoice total: a part payment, or the rest of one (GET)'),
  })),
  recordedAt: z.string().nullable(),
  sync: syncView.describe('Whether, when and where it reached the accounting platform (the receipt view)'),
});
type PaymentView = z.infer<typeof paymentView>;

const paymentIdParam = z.string().regex(/^pay_[0-9a-f]{24}$/, 'must be a payment id (pay_…)');

function syncOf(sync: PaymentSync | undefined, currency: Currency): PaymentView['sync'] {
  return {
    status: sync?.status ?? 'pending',
    reason: sync?.reason ?? null,
    syncedAt: sync?.syncedAt ?? null,
    postings: (sync?.records ?? []).map((r) => ({ invoiceId: r.invoiceId, invoiceNumber: r.invoiceNumber ?? null, amount: formatAmount(r.amountMinor, currency), accountingPaymentId: r.accountingPaymentId, url: r.url })),
  };
}

const invoicesOf = (applications: PaymentApplication[], currency: Currency) =>
  applications.map((a) => ({ invoiceId: a.invoiceId, amount: formatAmount(a.amountMinor, currency) }));

const fromState = (s: PaymentState): PaymentView => ({
  id: s.paymentId,
  status: s.status,
  amount: formatAmount(s.amountMinor, s.currency as Currency),
  currency: s.currency as Currency,
  reference: s.reference,
  channel: s.channel ?? 'virtual_terminal',
  method: s.method ?? 'card',
  invoices: invoicesOf(s.applications ?? [], s.currency as Currency),
  recordedAt: s.recordedAt ?? null,
  sync: syncOf(s.sync, s.currency as Currency),
});

const fromRow = (p: Payment): PaymentView => ({
  id: p.id,
  status: p.status as PaymentView['status'],
  amount: formatAmount(p.amount_minor, p.currency as Currency),
  currency: p.currency as Currency,
  reference: p.reference,
  channel: p.channel,
  method: p.method,
  invoices: invoicesOf(p.applications, p.currency as Currency),
  recordedAt: p.recorded_at?.toISOString() ?? null,
  sync: syncOf({ status: p.sync_status, reason: p.sync_reason ?? undefined, syncedAt: p.synced_at?.toISOString(), records: p.sync_records }, p.currency as Currency),
});

export function paymentRoutes(deps: ApiDeps) {
  /**
   * The payment as Postgres recorded it once its workflow has nothing left to do (the upload's outcome is its last
   * write), else as the workflow knows it while it runs: a finished payment's status never waits on Temporal.
   */
  async function readPayment(merchantId: string, paymentId: string): Promise<PaymentView | undefined> {
    const recorded = await findRow(merchantId, paymentId);
    if (recorded && recorded.sync_status !== 'pending') return fromRow(recorded);
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

  /**
   * Each invoice's number and total beside what the payment paid of it (part payments, issue 27), from Settle's copy
   * of the invoices; an invoice the copy does not have is shown as before.
   */
  async function withInvoiceTotals(merchantId: string, payment: PaymentView): Promise<PaymentView> {
    const ids = payment.invoices.map((i) => i.invoiceId);
    if (!ids.length) return payment;
    const copies = new Map((await deps.db.selectFrom('accounting_invoices').select(['id', 'number', 'total_minor', 'currency'])
      .where('merchant_id', '=', merchantId).where('id', 'in', ids).execute()).map((c) => [c.id, c]));
    return { ...payment, invoices: payment.invoices.map((i) => {
      const copy = copies.get(i.invoiceId);
      if (!copy || copy.currency !== payment.currency) return i;
      const paid = parseAmount(i.amount, payment.currency);
      return { ...i, number: copy.number, invoiceTotal: formatAmount(copy.total_minor, payment.currency), partOfInvoice: paid.ok && paid.minor < copy.total_minor };
    }) };
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
      existing.reference === input.reference &&
      existing.channel === input.channel &&
      existing.method === input.method &&
      JSON.stringify(existing.invoices) === JSON.stringify(invoicesOf(input.applications ?? [], input.currency as Currency));
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
          channel: body.channel,
          method: body.method,
          applications: body.applications,
          paidOn: body.paidOn,
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
      method: 'get', path: '/v1/payments', operationId: 'listPayments', summary: 'Recorded payments, newest first, with filters (status, method, sync, paid date, payer)', tag: 'payments', auth: 'merchant',
      query: z.object({
        status: z.enum(['received', 'recorded']).optional(),
        method: z.enum(['card', 'bank_debit']).optional(),
        sync: z.enum(['pending', 'synced', 'not-uploaded', 'failed']).optional().describe('The accounting sync status'),
        from: z.iso.date().optional().describe('Paid on or after (YYYY-MM-DD)'),
        to: z.iso.date().optional().describe('Paid on or before (YYYY-MM-DD)'),
        payer: z.string().regex(/^pyr_[0-9a-f]{24}$/, 'must be a payer id (pyr_…)').optional(),
        reference: z.string().max(255).optional().describe('The reference starts with this'),
        page: z.coerce.number().int().min(1).default(1),
        pageSize: z.coerce.number().int().min(1).max(200).default(50),
      }),
      responses: { 200: { description: 'A page of payments', schema: z.object({ page: z.number(), pageSize: z.number(), total: z.number(),
        payments: z.array(paymentView.extend({ paidOn: z.string().nullable(), createdAt: z.string(), payerId: z.string().nullable(),
          workflowId: z.string().describe("The payment's workflow (open it in the Temporal Web UI)") })) }) } },
      handler: async ({ query, state }) => {
        let q = deps.db.selectFrom('payments').where('merchant_id', '=', state.merchant.id);
        if (query.status) q = q.where('status', '=', query.status);
        if (query.method) q = q.where('method', '=', query.method);
        if (query.sync) q = q.where('sync_status', '=', query.sync);
        if (query.from) q = q.where('paid_on', '>=', query.from);
        if (query.to) q = q.where('paid_on', '<=', query.to);
        if (query.payer) q = q.where('payer_id', '=', query.payer);
        if (query.reference) q = q.where('reference', 'like', `${query.reference.replace(/[\\%_]/g, '\\$&')}%`);
        const total = Number((await q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
        const rows = await q.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.pageSize).offset((query.page - 1) * query.pageSize).execute();
        return { status: 200, body: { page: query.page, pageSize: query.pageSize, total, payments: rows.map((p) => ({
          ...fromRow(p), paidOn: p.paid_on, createdAt: p.created_at.toISOString(), payerId: p.payer_id, workflowId: p.workflow_id,
        })) } };
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
        return { status: 200, body: await withInvoiceTotals(state.merchant.id, payment) };
      },
    }),
  ];
}
