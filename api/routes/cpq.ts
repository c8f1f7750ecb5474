// What ConnectWise CPQ (Sell) calls, with the merchant's CPQ key: "Accept and Pay" starts (or finds) the quote's
// QuotePayment workflow and answers with the Pay Now link; CPQ reads the status back, and tells Settle when a
// quote is withdrawn or the payer retries a failed payment.
import { requireChargesEnabled } from './stripe-account';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { z } from 'zod';
import { findQuotePaymentByQuote, recordQuotePayment } from '../../db/quote-payments';
import { CURRENCIES, parseAmount, toMajorUnits, type Currency } from '../../lib/money';
import { offeredMethods, PAYMENT_METHOD_KINDS } from '../../lib/quotes/methods';
import { taskQueueName } from '../../lib/task-queues';
import { SettleAmount, SettleMerchantId, SettlePaymentId, SettleQuoteId, SettleStatus } from '../../lib/temporal/search-attributes';
import { DEFAULT_QUOTE_TIMING, quotePaymentWorkflowId, quoteWithdrawnSignal, retryUpdate, type QuotePaymentInput } from '../../workflows/quotes/definitions';
import { quotePaymentWorkflow } from '../../workflows/quotes/quote-payment-workflow';
import type { ApiDeps } from '../deps';
import { notFound, ProblemError } from '../problem';
import { readQuotePayment, quotePaymentView } from '../quotes/read';
import { updateProblem } from '../quotes/update-problem';
import { defineRoute } from '../routing';
import { plainText, amountText } from '../schemas';

const quoteIdParam = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 letters, digits, dots, dashes or underscores');
const money = z.object({ amount: amountText.describe('Decimal in major units, e.g. "1250.00"'), currency: z.enum(CURRENCIES) });

const acceptBody = z.object({
  quoteId: quoteIdParam,
  revision: z.number().int().min(1).max(100_000),
  customer: z.object({
    company: plainText(255).describe('The customer company: the contact the credit note is raised for'),
    name: plainText(255).describe('The person who accepted the quote'),
    email: z.email().max(254),
  }),
  oneTime: money,
  recurring: z.object({ amount: amountText, interval: z.enum(['month', 'year']) }).optional()
    .describe('The recurring portion, charged later by automatic payments with the method saved now'),
  paymentMethods: z.array(z.enum(PAYMENT_METHOD_KINDS)).min(1).optional().describe("What CPQ offers for this quote (defaults to the integration's setting)"),
  returnUrl: z.url({ protocol: /^https?$/ }).max(2048).describe('Where the payer goes back to (the quote in CPQ)'),
  schedule: z.unknown().optional().describe('Not allowed: one-time quote payments are taken in real time'),
}).transform((body, ctx) => {
  const parse = (path: string[], text: string) => {
    const parsed = parseAmount(text, body.oneTime.currency);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', path, message: parsed.reason });
    return parsed.ok ? parsed.minor : 0;
  };
  const amountMinor = parse(['oneTime', 'amount'], body.oneTime.amount);
  const recurringMinor = body.recurring ? parse(['recurring', 'amount'], body.recurring.amount) : undefined;
  return { ...body, amountMinor, recurringMinor };
});

export function cpqRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/cpq/quote-payments',
      operationId: 'acceptQuotePayment',
      summary: 'Accept and Pay: start (or find) the quote payment and get the Pay Now link',
      tag: 'cpq',
      auth: 'cpq',
      body: acceptBody,
      responses: {
        201: { description: 'The quote payment was started', schema: quotePaymentView },
        200: { description: 'The quote was accepted before: the same quote payment', schema: quotePaymentView },
        409: { description: "The quote was accepted before with another revision, amount or currency; or the merchant's Stripe account cannot take payments yet (payments-unavailable)" },
        422: { description: 'Scheduling was asked for, or no payment method is available' },
      },
      handler: async ({ body, state }) => {
        if (body.schedule !== undefined) {
          throw new ProblemError('scheduling-not-allowed', 'one-time quote payments cannot be scheduled: only real-time card and bank-debit payments are taken');
        }
        const merchant = state.merchant;
        const cpqMethods = body.paymentMethods ? body.paymentMethods.filter((m) => state.cpq.allowed_methods.includes(m)) : state.cpq.allowed_methods;
        const methods = offeredMethods({ merchant: merchant.payment_methods, cpq: cpqMethods, currency: body.oneTime.currency });
        if (methods.length === 0) {
          throw new ProblemError('no-payment-method', `no payment method is both enabled for the merchant (${merchant.payment_methods.join(', ')}) and allowed by CPQ (${cpqMethods.join(', ') || 'none'}) in ${body.oneTime.currency}`);
        }
        await requireChargesEnabled(deps.db, merchant.id);
        const workflowId = quotePaymentWorkflowId(merchant.id, body.quoteId);
        const recurring = body.recurring ? { amountMinor: body.recurringMinor!, interval: body.recurring.interval } : undefined;
        const { row, created } = await recordQuotePayment(deps.db, deps.keyring, {
          merchantId: merchant.id, quoteId: body.quoteId, revision: body.revision, workflowId, amountMinor: body.amountMinor,
          currency: body.oneTime.currency, recurring, methods, customer: body.customer, returnUrl: body.returnUrl,
        });
        const same = row.revision === body.revision && row.amount_minor === body.amountMinor && row.currency === body.oneTime.currency
          && (row.recurring_amount_minor ?? undefined) === recurring?.amountMinor;
        if (!same) {
          throw new ProblemError('quote-conflict', `quote ${body.quoteId} was accepted as revision ${row.revision} for ${row.amount_minor / 100} ${row.currency}; it cannot be paid with other details`, { quotePaymentId: row.id });
        }
        const input: QuotePaymentInput = {
          quotePaymentId: row.id, merchantId: merchant.id, quoteId: row.quote_id, revision: row.revision, amountMinor: row.amount_minor,
          currency: row.currency, recurring: recurring as QuotePaymentInput['recurring'], methods: row.methods, timing: deps.quoteTiming ?? DEFAULT_QUOTE_TIMING,
          ...(deps.settlementTiming ? { settlementTiming: deps.settlementTiming } : {}),
        };
        try {
          // Started even when the row existed: a crash between recording and starting must not strand the quote.
          await deps.temporal.workflow.start(quotePaymentWorkflow, {
            workflowId, taskQueue: taskQueueName(deps.taskQueuePrefix, 'workflows'), args: [input],
            workflowIdReusePolicy: 'REJECT_DUPLICATE', workflowIdConflictPolicy: 'USE_EXISTING',
            typedSearchAttributes: [
              { key: SettleMerchantId, value: merchant.id }, { key: SettlePaymentId, value: row.id }, { key: SettleQuoteId, value: row.quote_id },
              { key: SettleStatus, value: 'awaiting-checkout' }, { key: SettleAmount, value: toMajorUnits(row.amount_minor, row.currency as Currency) },
            ],
          });
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err; // closed already: answer with what it left
        }
        return { status: created ? 201 : 200, body: await readQuotePayment(deps, row), headers: { Location: `/v1/cpq/quote-payments/${row.quote_id}` } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/cpq/quote-payments/:quoteId',
      operationId: 'getQuotePaymentForCpq',
      summary: "A quote's payment status, for the quote in CPQ",
      tag: 'cpq',
      auth: 'cpq',
      params: z.object({ quoteId: quoteIdParam }),
      responses: { 200: { description: 'The quote payment', schema: quotePaymentView }, 404: { description: 'No payment for this quote' } },
      handler: async ({ params, state }) => {
        const row = await findQuotePaymentByQuote(deps.db, state.merchant.id, params.quoteId);
        if (!row) throw notFound('quote payment');
        return { status: 200, body: await readQuotePayment(deps, row) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/cpq/quote-payments/:quoteId/events',
      operationId: 'notifyQuoteEvent',
      summary: 'CPQ callback: the quote was withdrawn, or the payer retries a failed payment from the quote',
      tag: 'cpq',
      auth: 'cpq',
      params: z.object({ quoteId: quoteIdParam }),
      body: z.object({ type: z.enum(['withdrawn', 'retry']), reason: plainText(500).optional() }),
      responses: { 200: { description: 'Applied; the quote payment as it is now', schema: quotePaymentView }, 404: { description: 'No payment for this quote' }, 409: { description: 'Not possible in the current state' } },
      handler: async ({ params, body, state }) => {
        const row = await findQuotePaymentByQuote(deps.db, state.merchant.id, params.quoteId);
        if (!row) throw notFound('quote payment');
        const handle = deps.temporal.workflow.getHandle(row.workflow_id);
        try {
          if (body.type === 'withdrawn') await handle.signal(quoteWithdrawnSignal, { reason: body.reason ?? 'withdrawn in CPQ' });
          else await handle.executeUpdate(retryUpdate);
        } catch (err) {
          throw updateProblem(err);
        }
        return { status: 200, body: await readQuotePayment(deps, row) };
      },
    }),
  ];
}
