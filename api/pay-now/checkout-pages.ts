// Collecting the payment of an open PaymentIntent: the real Stripe.js Payment Element, or in sandbox mode a page of
// test outcomes (the Stripe test payment methods the emulator knows). Neither ever sees card or bank details on
// Settle's side: Stripe.js sends them to Stripe, and the sandbox uses Stripe's named test methods.
import type { PaymentMethodKind } from '../../lib/quotes/methods';
import { html, type SafeHtml } from './html';
import { methodLabel } from './identify-forms';

export interface CheckoutModel {
  base: string;
  merchantName: string;
  /** What is being paid, as in "quote Q-1" or "invoices INV-1, INV-2". */
  what: string;
  amount: string;
  currency: string;
  method: PaymentMethodKind;
  paymentIntentId: string;
  error?: string;
  /** Where "Choose another way to pay" leads (default: base). */
  backUrl?: string;
}

/** The test payment methods the sandbox offers: Stripe's ids, so the emulator (and Stripe test mode) decide the outcome. */
export const SANDBOX_PAYMENT_METHODS = ['pm_card_visa', 'pm_card_chargeDeclined', 'pm_card_refundFail', 'pm_usBankAccount', 'pm_auBecsDebit'] as const;

export function checkoutHeading(m: CheckoutModel): SafeHtml {
  return html`<div class="card"><p class="muted">${m.merchantName} · ${m.what}</p>
<h1>Pay by ${methodLabel(m.method, m.currency)}</h1><div class="amount">${m.amount} ${m.currency}</div></div>
${m.error ? html`<div class="notice error" id="error" role="alert">${m.error}</div>` : ''}`;
}

function sandboxChoices(m: CheckoutModel): SafeHtml {
  // A PaymentIntent takes only the method chosen on the quote page: offer the outcomes of that method.
  if (m.method === 'card') {
    return html`<button type="submit" name="payment_method" value="pm_card_visa">Card — succeeds</button>
<button type="submit" name="payment_method" value="pm_card_chargeDeclined" class="danger">Card — declined</button>
<button type="submit" name="payment_method" value="pm_card_refundFail">Card — succeeds, a refund of it fails</button>`;
  }
  const testMethod = m.currency === 'AUD' ? 'pm_auBecsDebit' : 'pm_usBankAccount';
  return html`<button type="submit" name="payment_method" value="${testMethod}">Bank debit</button>`;
}

export function sandboxCheckoutPage(m: CheckoutModel): SafeHtml {
  const debitNote = m.method === 'bank_debit'
    ? html`<p class="muted">A bank debit goes to <em>processing</em>, as a real one does for a few days. Settle it or fail it later on the Stripe emulator:
<code>POST /_emulator/payment_intents/${m.paymentIntentId}/settle</code> with <code>{"outcome":"succeeded"}</code> or <code>{"outcome":"failed"}</code>.</p>` : '';
  return html`${checkoutHeading(m)}
<form class="card methods" method="post" action="${m.base}/sandbox-confirm" id="sandbox-checkout">
<div class="notice info"><strong>Sandbox checkout.</strong> No money moves: choose how this test payment turns out.</div>
${sandboxChoices(m)}
${debitNote}
</form>
<p><a href="${m.backUrl ?? m.base}">Choose another way to pay</a></p>`;
}

// Constant text (allowed by its hash in the page's policy); what varies comes from the form's data- attributes.
export const STRIPE_CHECKOUT_SCRIPT = `(function () {
  var form = document.getElementById('payment-form');
  var button = form.querySelector('button');
  var message = document.getElementById('payment-message');
  // Direct charges: the payment intent lives on the merchant's connected account.
  var stripe = Stripe(form.dataset.key, form.dataset.account ? { stripeAccount: form.dataset.account } : undefined);
  var elements = stripe.elements({ clientSecret: form.dataset.secret });
  elements.create('payment').mount('#payment-element');
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    button.disabled = true;
    // On success Stripe sends the browser to return_url; an error (e.g. a declined card) is shown here instead.
    stripe.confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } }).then(function (result) {
      if (result.error) message.textContent = result.error.message;
      button.disabled = false;
    });
  });
})();`;

export function stripeCheckoutPage(m: CheckoutModel & { publishableKey: string; clientSecret: string; returnUrl: string; stripeAccount?: string }): SafeHtml {
  return html`${checkoutHeading(m)}
<form class="card" id="payment-form" data-key="${m.publishableKey}" data-account="${m.stripeAccount ?? ''}" data-secret="${m.clientSecret}" data-return-url="${m.returnUrl}">
<div id="payment-element"></div>
<button type="submit">Pay ${m.amount} ${m.currency}</button>
<div id="payment-message" class="muted" role="alert"></div>
</form>
<p><a href="${m.backUrl ?? m.base}">Choose another way to pay</a></p>
<script src="https://js.stripe.com/v3/"></script>`;
}
