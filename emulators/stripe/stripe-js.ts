// A small Stripe.js (js.stripe.com/v3) for the payer pages' real-Stripe checkout in tests: only what those pages call,
// talking to this emulator's HTTP API as Stripe.js talks to api.stripe.com (form-encoded, the publishable key as the
// `key` field, a connected account as `_stripe_account`, a PaymentIntent only with its client_secret). Served at
// GET /_emulator/js/v3. Its "Payment Element" is a plain card-number field (Stripe's test card numbers), not Stripe's
// iframe: card numbers reach only the emulator, never Settle, as with the real one.
//   Stripe(key, { stripeAccount }) → elements({ clientSecret }) → create('payment').mount(selector); elements.submit()
//   createPaymentMethod({ elements, params }) → { paymentMethod } | { error }
//   confirmPayment({ elements | clientSecret, confirmParams: { return_url, payment_method } }) → redirects | { error }
import { invalidRequest, StripeApiError } from './errors';
import { allowOnly, requiredString, type Params } from './form';
import { resolvePaymentMethod } from './lifecycle';
import { api, type Ctx } from './routes';
import type { EmulatorServer } from '../support/server';

/** Stripe's documented test card numbers, as the emulator's named test payment methods. */
export const TEST_CARD_NUMBERS: Record<string, string> = {
  '4242424242424242': 'pm_card_visa',
  '4000056655665556': 'pm_card_visa_debit',
  '5555555555554444': 'pm_card_mastercard',
  '5105105105105100': 'pm_card_mastercard_prepaid',
  '378282246310005': 'pm_card_amex',
  '4000000360000006': 'pm_card_au',
  '4000005540000008': 'pm_card_nz',
  '4000008260000000': 'pm_card_gb',
  '4000002760000016': 'pm_card_de',
  '4000000000000002': 'pm_card_chargeDeclined',
  '4000000000009995': 'pm_card_chargeDeclinedInsufficientFunds',
  '4000000000005126': 'pm_card_refundFail',
  '4000000000007726': 'pm_card_pendingRefund',
};

function billingDetailsOf(params: Params) {
  const given = params.billing_details;
  if (given === undefined) return undefined;
  if (typeof given !== 'object' || Array.isArray(given)) throw invalidRequest('Invalid billing_details', 'billing_details');
  const address = typeof given.address === 'object' && !Array.isArray(given.address) ? given.address : undefined;
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return {
    name: text(given.name), email: text(given.email), phone: text(given.phone),
    address: address ? { country: text(address.country), state: text(address.state), postal_code: text(address.postal_code), line1: text(address.line1), line2: null, city: text(address.city) } : null,
  };
}

export function registerStripeJs(server: EmulatorServer, ctx: Ctx): void {
  // What Stripe.js's createPaymentMethod posts: a card's number (and expiry, CVC) with the publishable key.
  api(server, ctx, 'POST', '/v1/payment_methods', ({ account, params }) => {
    allowOnly(params, ['type', 'card', 'billing_details']);
    if (requiredString(params, 'type') !== 'card') throw invalidRequest('Only card payment methods can be created here.', 'type');
    const card = params.card;
    const number = typeof card === 'object' && !Array.isArray(card) && typeof card.number === 'string' ? card.number.replace(/[\s-]/g, '') : '';
    const testId = TEST_CARD_NUMBERS[number];
    if (!testId) {
      throw new StripeApiError(402, { type: 'card_error', code: 'incorrect_number', message: 'Your card number is incorrect.', param: 'card[number]' });
    }
    const stored = resolvePaymentMethod(account, testId);
    const billing = billingDetailsOf(params);
    if (billing) stored.pm.billing_details = billing as typeof stored.pm.billing_details;
    return stored.pm;
  }, { publishable: true });

  server.route('GET', '/_emulator/js/v3', () => ({
    status: 200,
    headers: { 'content-type': 'application/javascript; charset=utf-8', 'access-control-allow-origin': '*', 'cache-control': 'no-store' },
    body: STRIPE_JS_SOURCE.replace('__API_BASE__', JSON.stringify(ctx.baseUrl())),
  }));
}

// Plain ES5, as it runs in the payer's browser.
const STRIPE_JS_SOURCE = `(function () {
  var API = __API_BASE__;
  function form(fields) {
    var parts = [];
    (function add(prefix, value) {
      if (value === undefined || value === null) return;
      if (typeof value === 'object') { for (var k in value) add(prefix ? prefix + '[' + k + ']' : k, value[k]); return; }
      parts.push(encodeURIComponent(prefix) + '=' + encodeURIComponent(String(value)));
    })('', fields);
    return parts.join('&');
  }
  window.Stripe = function (key, options) {
    var account = options && options.stripeAccount;
    function call(method, path, fields) {
      var body = form(Object.assign({ key: key }, account ? { _stripe_account: account } : {}, fields));
      var request = method === 'GET' ? fetch(API + path + '?' + body) : fetch(API + path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body });
      return request.then(function (res) { return res.json(); });
    }
    function cardFrom(elements) {
      var input = elements && elements._input;
      if (!input) return Promise.resolve({ error: { type: 'validation_error', message: 'Enter your card details.' } });
      return call('POST', '/v1/payment_methods', { type: 'card', card: { number: input.value } }).then(function (pm) {
        return pm.error ? { error: pm.error } : { paymentMethod: pm };
      });
    }
    return {
      elements: function (opts) {
        var elements = { _clientSecret: opts && opts.clientSecret, _input: null };
        elements.create = function (type) {
          return { mount: function (selector) {
            var box = typeof selector === 'string' ? document.querySelector(selector) : selector;
            var label = document.createElement('label');
            label.textContent = 'Card number';
            label.setAttribute('for', 'emulated-card-number');
            var input = document.createElement('input');
            input.id = 'emulated-card-number';
            input.setAttribute('autocomplete', 'cc-number');
            input.setAttribute('inputmode', 'numeric');
            box.appendChild(label);
            box.appendChild(input);
            elements._input = input;
          } };
        };
        elements.submit = function () {
          return Promise.resolve(elements._input && elements._input.value ? {} : { error: { type: 'validation_error', message: 'Your card number is incomplete.' } });
        };
        return elements;
      },
      createPaymentMethod: function (opts) { return cardFrom(opts.elements); },
      confirmPayment: function (opts) {
        var secret = opts.clientSecret || (opts.elements && opts.elements._clientSecret);
        var params = opts.confirmParams || {};
        var method = params.payment_method ? Promise.resolve({ paymentMethod: { id: params.payment_method } }) : cardFrom(opts.elements);
        return method.then(function (made) {
          if (made.error) return made;
          var intentId = secret.split('_secret_')[0];
          return call('POST', '/v1/payment_intents/' + intentId + '/confirm', { client_secret: secret, payment_method: made.paymentMethod.id, return_url: params.return_url })
            .then(function (intent) {
              if (intent.error) return { error: intent.error }; // a decline is shown on the page, as Stripe.js does
              var to = new URL(params.return_url);
              to.searchParams.set('payment_intent', intent.id);
              to.searchParams.set('payment_intent_client_secret', secret);
              to.searchParams.set('redirect_status', intent.status);
              window.location.assign(to.toString());
              return new Promise(function () {});
            });
        });
      }
    };
  };
})();
`;
