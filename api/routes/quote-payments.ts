// The merchant's view of quote payments: one quote payment, cancelling an unpaid one, a payer's past payments
// (each paid quote shows its credit note), and the outbox of emails Settle has sent on the merchant's behalf.
import { z } from 'zod';
import { listOutboxEmails } from '../../db/outbox';
import { findPayer } from '../../db/payers';
import { listActivity } from '../../db/activity-log';
import { findQuotePayment, paidQuotePayments, payableQuotePayments } from '../../db/quote-payments';
import { formatAmount, type Currency } from '../../lib/money';
import { cancelUpdate, PAYABLE_STATUSES } from '../../workflows/quotes/definitions';
import type { ApiDeps } from '../deps';
import { notFound } from '../problem';
import { quotePaymentView, readQuotePayment } from '../quotes/read';
import { updateProblem } from '../quotes/update-problem';
import { defineRoute } from '../routing';
import { CONSOLE_INVITATION_TEMPLATE } from './console-users';
import { plainText } from '../schemas';

const quotePaymentIdParam = z.string().regex(/^qp_[0-9a-f]{24}$/, 'must be a quote payment id (qp_…)');
const outstandingQuote = z.object({
  quotePaymentId: z.string(), quoteId: z.string(), amount: z.string(), currency: z.string(), status: z.string(), failure: z.string().nullable(),
  actions: z.array(z.object({ label: z.literal('Pay Quote'), url: z.string() })),
});
const pastPayment = z.object({
  quotePaymentId: z.string(), quoteId: z.string(), amount: z.string(), currency: z.string(), paidAt: z.string(),
  creditNote: z.object({ id: z.string(), url: z.string().nullable() }).nullable(),
});

export function quotePaymentRoutes(deps: ApiDeps) {
  async function ownRow(merchantId: string, quotePaymentId: string) {
    const row = await findQuotePayment(deps.db, quotePaymentId);
    if (!row || row.merchant_id !== merchantId) throw notFound('quote payment');
    return row;
  }

  return [
    defineRoute({
      method: 'get', path: '/v1/quote-payments/:quotePaymentId', operationId: 'getQuotePayment', summary: 'A quote payment and its status', tag: 'quote payments', auth: 'merchant',
      params: z.object({ quotePaymentId: quotePaymentIdParam }),
      responses: { 200: { description: 'The quote payment', schema: quotePaymentView }, 404: { description: 'No such quote payment for this merchant' } },
      handler: async ({ params, state }) => ({ status: 200, body: await readQuotePayment(deps, await ownRow(state.merchant.id, params.quotePaymentId)) }),
    }),
    defineRoute({
      method: 'post', path: '/v1/quote-payments/:quotePaymentId/cancel', operationId: 'cancelQuotePayment', summary: 'Cancel an unpaid quote payment (its open payment is released)', tag: 'quote payments', auth: 'merchant',
      params: z.object({ quotePaymentId: quotePaymentIdParam }),
      body: z.object({ reason: plainText(500) }),
      responses: { 200: { description: 'Cancelled', schema: quotePaymentView }, 409: { description: 'Already paid, or finished' } },
      handler: async ({ params, body, state }) => {
        const row = await ownRow(state.merchant.id, params.quotePaymentId);
        try {
          await deps.temporal.workflow.getHandle(row.workflow_id).executeUpdate(cancelUpdate, { args: [{ reason: body.reason }] });
        } catch (err) {
          throw updateProblem(err);
        }
        return { status: 200, body: await readQuotePayment(deps, row) };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/payers/:payerId/past-payments', operationId: 'listPayerPastPayments', summary: "A payer's past quote payments, each with its credit note", tag: 'quote payments', auth: 'merchant',
      params: z.object({ payerId: z.string().regex(/^pyr_[0-9a-f]{24}$/, 'must be a payer id (pyr_…)') }),
      responses: { 200: { description: 'Newest first', schema: z.object({ payments: z.array(pastPayment) }) }, 404: { description: 'No such payer for this merchant' } },
      handler: async ({ params, state }) => {
        if (!(await findPayer(deps.db, state.merchant.id, params.payerId))) throw notFound('payer');
        const rows = await paidQuotePayments(deps.db, state.merchant.id, params.payerId);
        return { status: 200, body: { payments: rows.map((r) => ({
          quotePaymentId: r.id, quoteId: r.quote_id, amount: formatAmount(r.amount_minor, r.currency as Currency), currency: r.currency,
          paidAt: r.paid_at!.toISOString(), creditNote: r.credit_note_id ? { id: r.credit_note_id, url: r.credit_note_url } : null,
        })) } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/payers/:payerId/outstanding', operationId: 'listPayerOutstanding', summary: "A payer's quotes still to pay, each with its Pay Quote action", tag: 'quote payments', auth: 'merchant',
      params: z.object({ payerId: z.string().regex(/^pyr_[0-9a-f]{24}$/, 'must be a payer id (pyr_…)') }),
      responses: { 200: { description: 'Oldest first', schema: z.object({ outstanding: z.array(outstandingQuote) }) }, 404: { description: 'No such payer for this merchant' } },
      handler: async ({ params, state }) => {
        if (!(await findPayer(deps.db, state.merchant.id, params.payerId))) throw notFound('payer');
        const rows = await payableQuotePayments(deps.db, state.merchant.id, params.payerId);
        const views = await Promise.all(rows.map((row) => readQuotePayment(deps, row)));
        return { status: 200, body: { outstanding: views.filter((v) => PAYABLE_STATUSES.includes(v.status)).map((v) => ({
          quotePaymentId: v.id, quoteId: v.quoteId, amount: v.amount, currency: v.currency, status: v.status, failure: v.failure,
          actions: [{ label: 'Pay Quote', url: v.payNowUrl }],
        })) } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/activity-log', operationId: 'listActivityLog', summary: 'What Settle did or saw for the merchant, newest first', tag: 'quote payments', auth: 'merchant',
      responses: { 200: { description: 'The latest 100 entries', schema: z.object({ entries: z.array(z.object({ id: z.string(), kind: z.string(), subject: z.string(), detail: z.string(), createdAt: z.string() })) }) } },
      handler: async ({ state }) => ({ status: 200, body: { entries: (await listActivity(deps.db, state.merchant.id)).map((e) => ({
        id: e.id, kind: e.kind, subject: e.subject, detail: e.detail, createdAt: e.created_at.toISOString(),
      })) } }),
    }),
    defineRoute({
      method: 'get', path: '/v1/outbox/emails', operationId: 'listOutboxEmails', summary: 'Emails Settle sent for the merchant (welcome, notifications), newest first', tag: 'quote payments', auth: 'merchant',
      responses: { 200: { description: 'The latest 50', schema: z.object({ emails: z.array(z.object({ id: z.string(), template: z.string(), to: z.string(), subject: z.string(), text: z.string(), status: z.enum(['pending', 'sent', 'failed', 'skipped']).describe('pending: waiting for the mail server (or for SMTP to be configured); sent: accepted by it; failed: refused for good (a Message says why); skipped: written before delivery existed and too old to send'), createdAt: z.string() })) }) } },
      handler: async ({ state }) => ({ status: 200, body: { emails: (await listOutboxEmails(deps.db, deps.keyring, state.merchant.id))
        // A console invitation's link is its invitee's alone: a billing user must not take an admin's invitation.
        .filter((e) => e.template !== CONSOLE_INVITATION_TEMPLATE).map(({ html: _html, ...e }) => ({ ...e, createdAt: e.createdAt.toISOString() })) } }),
    }),
  ];
}
