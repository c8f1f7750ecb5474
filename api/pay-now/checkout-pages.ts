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
  /** Why this payment carries no surcharge though the merchant surcharges (a bank debit), shown before paying. */
  noSurcharge?: string;
}

/** The test payment methods the sandbox offers: Stripe's ids, so the emulator (and Stripe test mode) decide the outcome. */
export const SANDBOX_PAYMENT_METHODS = ['pm_card_visa', 'pm_card_chargeDeclined', 'pm_card_refundFail', 'pm_card_pendingRefund', 'pm_usBankAccount', 'pm_auBecsDebit'] as const;

export function checkoutHeading(m: CheckoutModel): SafeHtml {
  return html`<div class="card"><p class="muted">${m.merchantName} · ${m.what}</p>
<h1>Pay by ${methodLabel(m.method, m.currency)}</h1><div class="amount">${m.amount} ${m.currency}</div></div>
${m.error ? html`<div class="notice error" id="error" role="alert">${m.error}</div>` : ''}
${m.noSurcharge ? html`<div class="notice info" id="surcharge-why">No surcharge: ${m.noSurcharge}</div>` : ''}`;
}

function sandboxChoices(m: CheckoutModel): SafeHtml {
  // A PaymentIntent takes only the method chosen on the quote page: offer the outcomes of that method.
  if (m.method === 'card') {
    return html`<button type="submit" name="payment_method" value="pm_card_visa">Card — succeeds</button>
<button type="submit" name="payment_method" value="pm_card_chargeDeclined" class="danger">Card — declined</button>
<button type="submit" name="payment_method" value="pm_card_refundFail">Card — succeeds, a refund of it fails</button>
<button type="submit" name="payment_method" value="pm_card_pendingRefund">Card — succeeds, a refund of it stays pending</button>`;
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
// With surcharges (data-surcharge-url), paying takes two steps: Stripe.js makes the PaymentMethod from the card, the
// server works out the surcharge for it and sets the PaymentIntent to the total (its applySurcharge), the payer sees
// the figures, then Stripe.js confirms the intent with that PaymentMethod.
export const STRIPE_CHECKOUT_SCRIPT = `(function () {
  var form = document.getElementById('payment-form');
  var button = form.querySelector('button');
  var message = document.getElementById('payment-message');
  var review = document.getElementById('surcharge-review');
  // Direct charges: the payment intent lives on the merchant's connected account.
  var stripe = Stripe(form.dataset.key, form.dataset.account ? { stripeAccount: form.dataset.account } : undefined);
  var elements = stripe.elements({ clientSecret: form.dataset.secret });
  elements.create('payment').mount('#payment-element');
  var reviewed = null;
  function fail(text) { message.textContent = text; button.disabled = false; }
  function show(id, text) { document.getElementById(id).textContent = text; }
  function confirm() {
    var confirmParams = { return_url: form.dataset.returnUrl };
    if (reviewed) confirmParams.payment_method = reviewed;
    // On success Stripe sends the browser to return_url; an error (e.g. a declined card) is shown here instead.
    stripe.confirmPayment(reviewed ? { clientSecret: form.dataset.secret, confirmParams: confirmParams } : { elements: elements, confirmParams: confirmParams })
      .then(function (result) { if (result.error) fail(result.error.message); });
  }
  function surcharge() {
    elements.submit().then(function (submitted) {
      if (submitted.error) return fail(submitted.error.message);
      return stripe.createPaymentMethod({ elements: elements }).then(function (made) {
        if (made.error) return fail(made.error.message);
        return fetch(form.dataset.surchargeUrl, { method: 'POST', credentials: 'same-origin',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: 'payment_method=' + encodeURIComponent(made.paymentMethod.id) })
          .then(function (res) { return res.json(); })
          .then(function (answer) {
            if (answer.error) return fail(answer.error);
            reviewed = made.paymentMethod.id;
            show('amount-before', answer.amount); show('surcharge', answer.surcharge); show('total', answer.total);
            show('surcharge-card', '(' + answer.card + ')'); show('surcharge-why', answer.why || '');
            review.hidden = false;
            button.textContent = 'Pay ' + answer.total;
            button.disabled = false;
          });
      });
    }).catch(function () { fail('The surcharge could not be worked out just now; please try again.'); });
  }
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    button.disabled = true;
    message.textContent = '';
    if (form.dataset.surchargeUrl && !reviewed) surcharge(); else confirm();
  });
  var another = document.getElementById('another-card');
  if (another) another.addEventListener('click', function (event) {
    event.preventDefault();
    reviewed = null;
    review.hidden = true;
    button.textContent = form.dataset.payLabel;
  });
})();`;

/** `surchargeUrl`: the merchant surcharges this payment: the card is reviewed there before confirming. */
export function stripeCheckoutPage(m: CheckoutModel & { publishableKey: string; clientSecret: string; returnUrl: string; stripeAccount?: string; scriptUrl: string; surchargeUrl?: string }): SafeHtml {
  const payLabel = m.surchargeUrl ? 'Review the total' : `Pay ${m.amount} ${m.currency}`;
  const review = m.surchargeUrl ? html`<div id="surcharge-review" hidden>
<table id="surcharge-breakdown">
<tr><th>Amount</th><td class="num" id="amount-before"></td></tr>
<tr><th>Card surcharge <span class="muted" id="surcharge-card"></span></th><td class="num" id="surcharge"></td></tr>
<tr><th>Total to pay</th><td class="num"><strong id="total"></strong></td></tr>
</table>
<p class="muted" id="surcharge-why"></p>
<p><a href="#" id="another-card">Use another card</a></p>
</div>
<p class="muted">${m.merchantName} adds a card surcharge where the law allows it: you see it, and the total, before you pay.</p>` : '';
  return html`${checkoutHeading(m)}
<form class="card" id="payment-form" data-key="${m.publishableKey}" data-account="${m.stripeAccount ?? ''}" data-secret="${m.clientSecret}" data-return-url="${m.returnUrl}"${m.surchargeUrl ? html` data-surcharge-url="${m.surchargeUrl}"` : ''} data-pay-label="${payLabel}">
<div id="payment-element"></div>
${review}
<button type="submit">${payLabel}</button>
<div id="payment-message" class="muted" role="alert"></div>
</form>
<p><a href="${m.backUrl ?? m.base}">Choose another way to pay</a></p>
<script src="${m.scriptUrl}"></script>`;
}
