// Back to the quote in CPQ once a checkout has an outcome: the quote's return_url with what happened in the query,
// so the quote can show it (and offer a retry from CPQ after a failure).
import type { QuotePaymentRow } from '../../db/schema';
import type { QuotePaymentStatus } from '../../workflows/quotes/definitions';
import type { QuotePaymentView } from '../quotes/read';

export type SettleStatus = 'paid' | 'processing' | 'failed';

const OUTCOMES: Partial<Record<QuotePaymentStatus, SettleStatus>> = {
  paid: 'paid', 'awaiting-downpayment-invoice': 'paid', reconciled: 'paid', processing: 'processing', failed: 'failed',
};

/** The return_url with settle_status, quote_id (and settle_failure); undefined while there is no outcome to report. */
export function returnToQuote(row: QuotePaymentRow, view: Pick<QuotePaymentView, 'status' | 'failure'>): string | undefined {
  const outcome = OUTCOMES[view.status];
  if (!outcome) return undefined;
  const url = new URL(row.return_url);
  url.searchParams.set('settle_status', outcome);
  url.searchParams.set('quote_id', row.quote_id);
  if (outcome === 'failed') url.searchParams.set('settle_failure', view.failure ?? 'The payment failed.');
  return url.toString();
}
