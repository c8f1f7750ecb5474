// The quote page (GET /pay/q/:token): what is being paid, to whom, where the payment stands, and the next step:
// identify, choose a method, or (once the checkout is over) the result and the way back to the quote.
import type { QuoteCustomer } from '../../db/quote-payments';
import type { Checkout, PaymentMethodKind } from '../../lib/quotes/methods';
import { PAYABLE_STATUSES, type QuotePaymentStatus } from '../../workflows/quotes/definitions';
import type { QuotePaymentView } from '../quotes/read';
import { html, type SafeHtml } from './html';
import { identifyChoices, methodChoice, type FormEcho } from './identify-forms';

/** The statuses in which the payer can still pay (the workflow's checkout). */

export interface QuotePageModel {
  /** The page's own path, /pay/q/:token; the forms post below it. */
  base: string;
  merchantName: string;
  customer: QuoteCustomer;
  view: QuotePaymentView;
  returnUrl: string;
  /** Who pays, once this browser has identified itself for this quote. */
  who?: { checkout: Checkout; name?: string };
  /** The methods offered to `who`. */
  methods: PaymentMethodKind[];
  /** This browser's checkout is open: where to carry on paying. */
  continueUrl?: string;
  /** Why the last request was refused. */
  error?: string;
  echo?: FormEcho;
  /** The merchant's payment account cannot take payments yet (Stripe onboarding is not complete). */
  paymentsUnavailable?: boolean;
}

/** What the payer sees while the merchant's Stripe account cannot take charges. */
export const PAYMENTS_UNAVAILABLE = (merchantName: string) =>
  `Payments are not yet available: ${merchantName} is still setting up its payment account. Please try again later.`;

const STATUS_LABELS: Record<QuotePaymentStatus, string> = {
  'awaiting-checkout': 'Awaiting payment', 'checkout-open': 'Payment in progress', failed: 'Payment failed', paid: 'Paid',
  processing: 'Bank debit submitted', 'awaiting-downpayment-invoice': 'Paid', reconciled: 'Paid', cancelled: 'Cancelled', abandoned: 'Expired',
};

function summary(m: QuotePageModel): SafeHtml {
  const { view } = m;
  return html`<div class="card">
<p class="muted">${m.merchantName}</p>
<h1>Quote ${view.quoteId} <span class="muted">revision ${view.revision}</span></h1>
<p class="muted">For ${m.customer.company} · accepted by ${m.customer.name}</p>
<div class="amount">${view.amount} ${view.currency}</div>
<p>One-time payment, due now.${view.recurring ? html` Then <strong>${view.recurring.amount} ${view.currency} per ${view.recurring.interval}</strong>, charged automatically with the payment method you save now.` : ''}</p>
<p>Status: <span class="status" id="status">${STATUS_LABELS[view.status]}</span></p>
</div>`;
}

/** A checkout that is over: what happened, in words, and the way back to the quote. */
function result(m: QuotePageModel): SafeHtml {
  const messages: Partial<Record<QuotePaymentStatus, [string, string]>> = {
    paid: ['ok', `Thank you: your payment was received. ${m.merchantName} is recording it now.`],
    processing: ['info', 'Your bank debit was submitted. Bank debits take a few days to clear; you do not need to do anything else.'],
    'awaiting-downpayment-invoice': ['ok', `Thank you: your payment was received and recorded by ${m.merchantName}.`],
    reconciled: ['ok', `Thank you: your payment was received and recorded by ${m.merchantName}.`],
    cancelled: ['info', 'This quote payment was cancelled. Nothing was charged. If this is unexpected, contact the sender of the quote.'],
    abandoned: ['info', 'This checkout expired before it was finished. Nothing was charged. Open the quote again to pay it.'],
  };
  const [kind, text] = messages[m.view.status] ?? ['info', STATUS_LABELS[m.view.status]];
  // CPQ's return_url is checked to be http(s) on acceptance; checked again here, as an href it could run script.
  const back = /^https?:\/\//i.test(m.returnUrl) ? html`<p><a class="button" href="${m.returnUrl}">Back to the quote</a></p>` : '';
  return html`<div class="notice ${kind}" id="result">${text}</div>${back}`;
}

function checkout(m: QuotePageModel): SafeHtml {
  const { view } = m;
  const failed = view.status === 'failed' && view.failure
    ? html`<div class="notice error" id="failure" role="alert">Your payment did not go through: ${view.failure} You can try again below.</div>` : '';
  if (!m.who) return html`${failed}${identifyChoices(m.base, view.recurring !== null, m.echo)}`;
  const who = m.who.checkout === 'guest' ? 'Paying as a guest (card only).' : `Paying as ${m.who.name ?? 'a registered payer'}.`;
  const carryOn = m.continueUrl
    ? html`<div class="notice info">You have a payment in progress. <a href="${m.continueUrl}">Continue paying</a>, or choose a method to start again.</div>` : '';
  return html`${failed}${carryOn}${methodChoice(m.base, m.methods, view.currency, who)}`;
}

export function quotePage(m: QuotePageModel): SafeHtml {
  const error = m.error ? html`<div class="notice error" id="error" role="alert">${m.error}</div>` : '';
  if (m.paymentsUnavailable && PAYABLE_STATUSES.includes(m.view.status)) {
    return html`${summary(m)}${m.error ? '' : html`<div class="notice info" id="unavailable" role="status">${PAYMENTS_UNAVAILABLE(m.merchantName)}</div>`}${error}`;
  }
  return html`${summary(m)}${error}${PAYABLE_STATUSES.includes(m.view.status) ? checkout(m) : result(m)}`;
}
