// The quote a Pay Now request is about, found by the link's token, with this browser's session for it; and the
// quote page drawn from it (after a GET, or again with the error of a refused POST).
import { findStripeAccount } from '../../db/stripe-accounts';
import type { Context } from 'koa';
import { findMerchant } from '../../db/merchants';
import { findPayer, payerDetails } from '../../db/payers';
import { findQuotePaymentByToken, quoteCustomer } from '../../db/quote-payments';
import type { QuotePaymentRow } from '../../db/schema';
import { offeredMethods } from '../../lib/quotes/methods';
import type { QuotePaymentState } from '../../workflows/quotes/definitions';
import type { ApiDeps } from '../deps';
import { runningState, viewOf } from '../quotes/read';
import type { FormEcho } from './identify-forms';
import { sendPage } from './layout';
import { quotePage } from './quote-page';
import { PageError } from './requests';
import { readSession, type PayNowSession } from './session';

// Tokens are 24 random bytes in base64url (32 characters); anything else is not worth a lookup.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,64}$/;

export interface QuoteRequest {
  token: string;
  /** /pay/q/:token: the quote page, and the prefix of its forms. */
  base: string;
  row: QuotePaymentRow;
  merchantName: string;
  session?: PayNowSession;
}

export async function loadQuote(ctx: Context, deps: ApiDeps): Promise<QuoteRequest> {
  const token = String((ctx as unknown as { params: { token?: string } }).params.token ?? '');
  const row = TOKEN_SHAPE.test(token) ? await findQuotePaymentByToken(deps.db, token) : undefined;
  if (!row) {
    throw new PageError(404, 'Payment link not found', 'This payment link is not valid. Open the quote again and use its "Accept and Pay" link, or ask the sender of the quote for a new one.');
  }
  const merchant = await findMerchant(deps.db, row.merchant_id);
  return { token, base: `/pay/q/${token}`, row, merchantName: merchant?.name ?? 'Your provider', session: readSession(ctx, deps, row) };
}

/** True when this browser's session is the one the workflow's open checkout belongs to. */
export function ownsCheckout(session: PayNowSession | undefined, state: QuotePaymentState | undefined): state is QuotePaymentState & { paymentIntentId: string } {
  return Boolean(session && state?.status === 'checkout-open' && state.paymentIntentId
    && state.checkout === session.checkout && (state.payerId ?? undefined) === session.payerId);
}

export async function renderQuote(ctx: Context, deps: ApiDeps, q: QuoteRequest, extra: { status?: number; error?: string; echo?: FormEcho } = {}): Promise<void> {
  const state = await runningState(deps, q.row);
  const view = viewOf(deps, q.row, state);
  let who: { checkout: 'guest' | 'payer'; name?: string } | undefined;
  if (q.session?.checkout === 'guest') who = { checkout: 'guest' };
  if (q.session?.payerId) {
    const payer = await findPayer(deps.db, q.row.merchant_id, q.session.payerId);
    if (payer) who = { checkout: 'payer', name: payerDetails(deps.keyring, payer).name };
  }
  const methods = who ? offeredMethods({ merchant: q.row.methods, cpq: q.row.methods, currency: q.row.currency, checkout: who.checkout }) : [];
  sendPage(ctx, {
    status: extra.status,
    title: `Pay quote ${q.row.quote_id} · ${q.merchantName}`,
    body: quotePage({
      base: q.base, merchantName: q.merchantName, customer: quoteCustomer(deps.keyring, q.row), view, returnUrl: q.row.return_url,
      who, methods, continueUrl: ownsCheckout(q.session, state) ? `${q.base}/pay` : undefined, error: extra.error, echo: extra.echo,
      paymentsUnavailable: !(await findStripeAccount(deps.db, q.row.merchant_id))?.charges_enabled,
    }),
  });
}
