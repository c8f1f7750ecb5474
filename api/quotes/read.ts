// Reading a quote payment for the API and the Pay Now pages: from the running workflow (a query), else from the
// copy Postgres keeps once it has closed. Also the view every route answers with, and the Pay Now link.
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { checkoutToken, findQuotePayment } from '../../db/quote-payments';
import type { QuotePaymentRow } from '../../db/schema';
import { formatAmount, type Currency } from '../../lib/money';
import { quotePayNowUrl } from '../../lib/pay-now-links';
import { PAYMENT_METHOD_KINDS } from '../../lib/quotes/methods';
import { quotePaymentStateQuery, type QuotePaymentState, type QuotePaymentStatus } from '../../workflows/quotes/definitions';
import type { ApiDeps } from '../deps';

// A running workflow answers a query in milliseconds; past this the caller gets a 503 instead of a hang.
const QUERY_DEADLINE_MS = 3_000;

const STATUSES = ['awaiting-checkout', 'checkout-open', 'failed', 'paid', 'processing', 'awaiting-downpayment-invoice', 'reconciled', 'cancelled', 'abandoned'] as const satisfies readonly QuotePaymentStatus[];

const posted = z.object({ id: z.string(), url: z.string() });
export const quotePaymentView = z.object({
  id: z.string(),
  quoteId: z.string(),
  revision: z.number().int(),
  status: z.enum(STATUSES),
  amount: z.string(),
  currency: z.string(),
  recurring: z.object({ amount: z.string(), interval: z.string() }).nullable(),
  methods: z.array(z.enum(PAYMENT_METHOD_KINDS)).describe('Offered to a logged-in payer; a guest pays by card only'),
  payNowUrl: z.string(),
  failure: z.string().nullable().describe('Why the last attempt failed'),
  invoice: posted.nullable().describe('The quote payment invoice (reference PF)'),
  creditNote: posted.extend({ approved: z.boolean() }).nullable().describe('The credit note (reference PF); a draft until a bank debit settles'),
  downpaymentInvoiceId: z.string().nullable(),
  paidAt: z.string().nullable(),
});
export type QuotePaymentView = z.infer<typeof quotePaymentView>;

export function payNowUrl(deps: Pick<ApiDeps, 'publicUrl' | 'keyring'>, row: QuotePaymentRow): string {
  return quotePayNowUrl(deps.publicUrl, checkoutToken(deps.keyring, row));
}

/** The workflow's state while it runs; undefined once it has closed, never started, or cannot answer now. */
export async function runningState(deps: ApiDeps, row: QuotePaymentRow): Promise<QuotePaymentState | undefined> {
  const handle = deps.temporal.workflow.getHandle(row.workflow_id);
  try {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') return undefined;
    return await deps.temporal.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(quotePaymentStateQuery));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    // No worker answering (or Temporal away): the row has every status the workflow persisted, so answer from it.
    deps.log.warn({ err: (err as Error).message, quotePaymentId: row.id }, 'quote payment state unavailable; answering from Postgres');
    return undefined;
  }
}

export function viewOf(deps: ApiDeps, row: QuotePaymentRow, state: QuotePaymentState | undefined): QuotePaymentView {
  const currency = row.currency as Currency;
  const creditNote = state ? state.creditNote : row.credit_note_id ? { id: row.credit_note_id, url: row.credit_note_url ?? '', approved: row.paid_at !== null } : undefined;
  const invoice = state ? state.invoice : row.invoice_id ? { id: row.invoice_id, url: row.invoice_url ?? '' } : undefined;
  return {
    id: row.id,
    quoteId: row.quote_id,
    revision: row.revision,
    status: (state?.status ?? row.status) as QuotePaymentStatus,
    amount: formatAmount(row.amount_minor, currency),
    currency,
    recurring: row.recurring_amount_minor === null ? null : { amount: formatAmount(row.recurring_amount_minor, currency), interval: row.recurring_interval ?? 'month' },
    methods: row.methods,
    payNowUrl: payNowUrl(deps, row),
    failure: state?.failure ?? null,
    invoice: invoice ?? null,
    creditNote: creditNote ?? null,
    downpaymentInvoiceId: state?.downpaymentInvoiceId ?? row.downpayment_invoice_id,
    paidAt: state?.paidAt ?? row.paid_at?.toISOString() ?? null,
  };
}

/** The quote payment now: the running workflow's state, else the row as the workflow last saved it. */
export async function readQuotePayment(deps: ApiDeps, row: QuotePaymentRow): Promise<QuotePaymentView> {
  const state = await runningState(deps, row);
  return viewOf(deps, state ? row : ((await findQuotePayment(deps.db, row.id)) ?? row), state);
}
