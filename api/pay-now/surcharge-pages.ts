// The surcharge on the payer's checkout (issue 27): the sandbox's card choices lead to a review that shows the
// amount, the surcharge for that card (or why there is none) and the total, before the payer confirms. The numbers
// come from the workflow's state (computed by the server from the merchant's settings), never from the browser.
import { formatAmount, type Currency } from '../../lib/money';
import type { InvoicePaymentState } from '../../workflows/invoice-payments/definitions';
import type { CheckoutModel } from './checkout-pages';
import { html, type SafeHtml } from './html';

/** The test cards the sandbox offers when the merchant surcharges: brands, funding and countries the rules tell apart. */
export const SANDBOX_SURCHARGE_CARDS = [
  ['pm_card_visa', 'Visa credit (US)'],
  ['pm_card_visa_debit', 'Visa debit (US)'],
  ['pm_card_mastercard_prepaid', 'Mastercard prepaid (US)'],
  ['pm_card_amex', 'American Express (US)'],
  ['pm_card_au', 'Visa credit (Australia)'],
  ['pm_card_nz', 'Visa credit (New Zealand)'],
  ['pm_card_gb', 'Visa credit (UK)'],
  ['pm_card_chargeDeclined', 'Card — declined'],
] as const;
export const SANDBOX_SURCHARGE_CARD_IDS = SANDBOX_SURCHARGE_CARDS.map(([id]) => id);

const BRAND_NAMES: Record<string, string> = { visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', discover: 'Discover', diners: 'Diners Club', jcb: 'JCB', unionpay: 'UnionPay', eftpos_au: 'eftpos' };

export function sandboxSurchargeChoices(m: CheckoutModel): SafeHtml {
  return html`<form class="card methods" method="post" action="${m.base}/sandbox-review" id="sandbox-checkout">
<div class="notice info"><strong>Sandbox checkout.</strong> No money moves. ${m.merchantName} adds a card surcharge where the law allows it: choose a test card to see it before you pay.</div>
${SANDBOX_SURCHARGE_CARDS.map(([id, label]) => html`<button type="submit" name="payment_method" value="${id}">${label}</button>`)}
</form>
<p><a href="${m.backUrl ?? m.base}">Choose another way to pay</a></p>`;
}

type Surcharge = NonNullable<InvoicePaymentState['surcharge']>;

/** The review's figures in words, for the page and for the Stripe.js checkout (which shows them without a reload). */
export function surchargeFigures(currency: string, s: Surcharge, amountMinor: number) {
  const money = (minor: number) => `${formatAmount(minor, currency as Currency)} ${currency}`;
  const card = s.method.kind === 'card'
    ? `${BRAND_NAMES[s.method.brand ?? ''] ?? 'Card'} ${s.method.funding ?? ''} card issued in ${s.method.country}`.replace(/\s+/g, ' ')
    : 'Bank debit';
  const why = s.surchargeMinor === 0 && s.explanation ? `No surcharge: ${s.explanation}` : s.explanation;
  return { amount: money(amountMinor), surcharge: money(s.surchargeMinor), total: money(s.totalMinor), card, why };
}

/** `paying`: what the amount before the surcharge pays ("Invoices", "Quote Q-1"); `anotherCard`: where the card choice is (default: base). */
export function surchargeReviewPage(m: CheckoutModel, s: Surcharge, amountMinor: number, opts: { paying?: string; anotherCard?: string } = {}): SafeHtml {
  const paying = opts.paying ?? 'Invoices';
  const f = surchargeFigures(m.currency, s, amountMinor);
  return html`<div class="card"><p class="muted">${m.merchantName} · ${m.what}</p><h1>Review your payment</h1>
<table id="surcharge-breakdown">
<tr><th>${paying}</th><td class="num" id="amount-before">${f.amount}</td></tr>
<tr><th>Card surcharge <span class="muted">(${f.card})</span></th><td class="num" id="surcharge">${f.surcharge}</td></tr>
<tr><th>Total to pay</th><td class="num"><strong id="total">${f.total}</strong></td></tr>
</table>
${f.why ? html`<p class="muted" id="surcharge-why">${f.why}</p>` : ''}
</div>
${m.error ? html`<div class="notice error" id="error" role="alert">${m.error}</div>` : ''}
<form class="card methods" method="post" action="${m.base}/sandbox-confirm" id="confirm-surcharge">
<input type="hidden" name="payment_method" value="${s.paymentMethodId}">
<button type="submit">Pay ${f.total}</button>
</form>
<p><a href="${opts.anotherCard ?? m.base}">Use another card</a> · <a href="${m.backUrl ?? m.base}">Choose another way to pay</a></p>`;
}
