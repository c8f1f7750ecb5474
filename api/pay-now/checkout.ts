// Paying: POST /checkout (the method: the workflow opens a PaymentIntent), GET /pay (collect it: Stripe.js, or the
// sandbox checkout), POST /sandbox-confirm (confirm as Stripe.js would), GET /return (the workflow reads the
// outcome from Stripe; the payer goes back to the quote in CPQ). The workflow is driven only by its updates.
import { merchantAccount } from '../../activities/stripe/connected-account';
import { findStripeAccount } from '../../db/stripe-accounts';
import { idempotencyKey } from '../../lib/idempotency';
import type { Context } from 'koa';
import { z } from 'zod';
import type { QuotePaymentRow } from '../../db/schema';
import { formatAmount, type Currency } from '../../lib/money';
import { PAYMENT_METHOD_KINDS, type PaymentMethodKind } from '../../lib/quotes/methods';
import { surchargeRulesOf } from '../../db/surcharges';
import { applyQuoteSurchargeUpdate, beginCheckoutUpdate, completeCheckoutUpdate, type QuotePaymentState } from '../../workflows/quotes/definitions';
import type { ApiDeps } from '../deps';
import { ProblemError } from '../problem';
import { runningState, viewOf } from '../quotes/read';
import { updateProblem } from '../quotes/update-problem';
import { checkoutHeading, SANDBOX_PAYMENT_METHODS, sandboxCheckoutPage, STRIPE_CHECKOUT_SCRIPT, stripeCheckoutPage, type CheckoutModel } from './checkout-pages';
import { html } from './html';
import { SANDBOX_SURCHARGE_CARD_IDS, sandboxSurchargeChoices, surchargeFigures, surchargeReviewPage } from './surcharge-pages';
import { sendPage, STRIPE_JS } from './layout';
import { loadQuote, ownsCheckout, renderQuote, type QuoteRequest } from './quote-context';
import { PAYMENTS_UNAVAILABLE } from './quote-page';
import { page, PageError, postedForm, seeOther } from './requests';
import { returnToQuote } from './return-url';

const paymentIntentId = z.string().regex(/^pi_[A-Za-z0-9_]{1,255}$/);

/** Why the workflow refused an update (its validator, or it has closed); anything else is not the payer's doing. */
function refusal(err: unknown): string | undefined {
  const problem = updateProblem(err);
  return problem instanceof ProblemError && problem.slug === 'conflict' ? problem.detail : undefined;
}

export function checkoutHandlers(deps: ApiDeps) {
  const absolute = (path: string) => `${deps.publicUrl.replace(/\/$/, '')}${path}`;
  const workflowOf = (row: QuotePaymentRow) => deps.temporal.workflow.getHandle(row.workflow_id);

  /** The quote's open checkout, if it is this browser's; else the payer is sent to the quote page. */
  async function openCheckout(ctx: Context, q: QuoteRequest): Promise<(QuotePaymentState & { paymentIntentId: string }) | undefined> {
    const state = await runningState(deps, q.row);
    if (ownsCheckout(q.session, state)) return state;
    seeOther(ctx, q.base);
    return undefined;
  }

  /** Whether this checkout's payment may carry a surcharge: the merchant surcharges, and it is a card payment (issue 27). */
  const surcharging = async (q: QuoteRequest, state: QuotePaymentState) => state.method === 'card' && (await surchargeRulesOf(deps.db, q.row.merchant_id)).enabled;

  const modelOf = (q: QuoteRequest, state: QuotePaymentState & { paymentIntentId: string }, error?: string): CheckoutModel => ({
    base: q.base, merchantName: q.merchantName, what: `quote ${q.row.quote_id}`, amount: formatAmount(q.row.amount_minor, q.row.currency as Currency),
    currency: q.row.currency, method: state.method ?? 'card', paymentIntentId: state.paymentIntentId, error,
  });

  async function renderCheckout(ctx: Context, q: QuoteRequest, state: QuotePaymentState & { paymentIntentId: string }, clientSecret: string, error?: string, stripeAccount?: string) {
    const model = modelOf(q, state, error);
    // The merchant surcharges cards: a bank debit payer is told there is none on theirs, before paying.
    if (state.method === 'bank_debit' && (await surchargeRulesOf(deps.db, q.row.merchant_id)).enabled) model.noSurcharge = 'bank debits are not surcharged.';
    const title = `Pay quote ${q.row.quote_id} · ${q.merchantName}`;
    if (deps.sandbox && (await surcharging(q, state))) {
      // The sandbox's test cards lead to the review (/sandbox-review), which shows the surcharge before confirming.
      return sendPage(ctx, { status: error ? 409 : 200, title, body: html`${checkoutHeading(model)}${sandboxSurchargeChoices({ ...model, base: q.base })}`,
        formTargets: [new URL(q.row.return_url).origin] });
    }
    if (deps.sandbox) {
      // The sandbox-confirm POST redirects on to the quote in CPQ: the policy must let that redirect through.
      return sendPage(ctx, { status: error ? 409 : 200, title, body: sandboxCheckoutPage(model), formTargets: [new URL(q.row.return_url).origin] });
    }
    if (!deps.stripePublishableKey) throw new Error('no Stripe publishable key is configured: Stripe.js cannot collect the payment');
    const stripeJs = deps.stripeJs ?? STRIPE_JS;
    sendPage(ctx, {
      title, stripe: stripeJs, script: STRIPE_CHECKOUT_SCRIPT, formTargets: [new URL(q.row.return_url).origin],
      body: stripeCheckoutPage({ ...model, publishableKey: deps.stripePublishableKey, clientSecret, stripeAccount, returnUrl: absolute(`${q.base}/return`),
        scriptUrl: stripeJs.scriptUrl, ...((await surcharging(q, state)) ? { surchargeUrl: `${q.base}/surcharge` } : {}) }),
    });
  }

  const checkout = page(async (ctx) => {
    const form = await postedForm(ctx, deps);
    const q = await loadQuote(ctx, deps);
    if (!q.session) return renderQuote(ctx, deps, q, { status: 401, error: 'Log in, register or continue as guest first.' });
    const method = z.enum(PAYMENT_METHOD_KINDS).safeParse(form.method);
    if (!method.success) return renderQuote(ctx, deps, q, { status: 422, error: 'Choose one of the payment methods offered.' });
    // Never a payment the merchant's own Stripe account cannot take (and never one on the platform's account).
    if (!(await findStripeAccount(deps.db, q.row.merchant_id))?.charges_enabled) {
      return renderQuote(ctx, deps, q, { status: 409, error: PAYMENTS_UNAVAILABLE(q.merchantName) });
    }
    try {
      await workflowOf(q.row).executeUpdate(beginCheckoutUpdate, {
        args: [{ checkout: q.session.checkout, payerId: q.session.payerId, method: method.data as PaymentMethodKind }],
      });
    } catch (err) {
      const reason = refusal(err);
      if (reason === undefined) throw err;
      return renderQuote(ctx, deps, q, { status: 409, error: `This payment cannot start: ${reason}.` });
    }
    ctx.state.log.info({ quotePaymentId: q.row.id, checkout: q.session.checkout, method: method.data }, 'pay now: checkout begun');
    seeOther(ctx, `${q.base}/pay`);
  });

  const pay = page(async (ctx) => {
    const q = await loadQuote(ctx, deps);
    const state = await openCheckout(ctx, q);
    if (!state) return;
    // The client secret lets a browser confirm the intent: fetched for the page, never kept (nor in the workflow).
    const account = await merchantAccount(deps.db, q.row.merchant_id);
    const intent = await deps.stripe.paymentIntents.retrieve(state.paymentIntentId, {}, account.options());
    if (!['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(intent.status)) {
      // Confirmed already (the payer closed the tab before coming back): let the workflow read the outcome.
      return seeOther(ctx, `${q.base}/return?payment_intent=${encodeURIComponent(intent.id)}`);
    }
    await renderCheckout(ctx, q, state, intent.client_secret ?? '', undefined, account.accountId);
  });

  /** The workflow works out the surcharge for this payment method and sets the intent to the total; its answer. */
  async function applySurcharge(q: QuoteRequest, paymentMethodId: string): Promise<QuotePaymentState | undefined> {
    try {
      return await workflowOf(q.row).executeUpdate(applyQuoteSurchargeUpdate, { args: [{ paymentMethodId }] });
    } catch (err) {
      if (refusal(err) === undefined) throw err;
      return undefined; // ended (or moved on) meanwhile: the quote page says where it stands
    }
  }

  /**
   * The Stripe.js checkout's review (POST /surcharge, JSON): Stripe.js made the PaymentMethod from the payer's card; the
   * workflow works out the surcharge for it and sets the intent to the total, which the page then shows and confirms.
   */
  const surcharge = page(async (ctx) => {
    const form = await postedForm(ctx, deps);
    const q = await loadQuote(ctx, deps);
    const state = await runningState(deps, q.row);
    const answer = (status: number, body: object): void => void Object.assign(ctx, { status, type: 'application/json', body });
    if (!ownsCheckout(q.session, state) || !(await surcharging(q, state))) return answer(409, { error: 'This payment is no longer open here. Reload the page.' });
    const method = z.string().regex(/^pm_[A-Za-z0-9_]{1,255}$/).safeParse(form.payment_method);
    if (!method.success) return answer(422, { error: 'Enter your card details again.' });
    const reviewed = await applySurcharge(q, method.data);
    if (!reviewed?.surcharge || reviewed.status !== 'checkout-open') return answer(409, { error: 'This payment is no longer open here. Reload the page.' });
    ctx.state.log.info({ quotePaymentId: q.row.id, surchargeMinor: reviewed.surcharge.surchargeMinor }, 'pay now: quote surcharge shown (Stripe.js)');
    answer(200, surchargeFigures(q.row.currency, reviewed.surcharge, q.row.amount_minor));
  });

  const sandboxReview = page(async (ctx) => {
    if (!deps.sandbox) throw new PageError(404, 'Not found', 'There is no such page.');
    const form = await postedForm(ctx, deps);
    const q = await loadQuote(ctx, deps);
    const state = await openCheckout(ctx, q);
    if (!state) return;
    if (!(await surcharging(q, state))) return seeOther(ctx, `${q.base}/pay`);
    const testMethod = z.enum(SANDBOX_SURCHARGE_CARD_IDS as [string, ...string[]]).safeParse(form.payment_method);
    if (!testMethod.success) return renderCheckout(ctx, q, state, '', 'Choose one of the sandbox cards.');
    const reviewed = await applySurcharge(q, testMethod.data);
    if (!reviewed?.surcharge || reviewed.status !== 'checkout-open') return seeOther(ctx, q.base);
    ctx.state.log.info({ quotePaymentId: q.row.id, surchargeMinor: reviewed.surcharge.surchargeMinor }, 'pay now: quote surcharge shown');
    sendPage(ctx, { title: `Review · Pay quote ${q.row.quote_id} · ${q.merchantName}`, formTargets: [new URL(q.row.return_url).origin],
      body: surchargeReviewPage(modelOf(q, state), reviewed.surcharge, q.row.amount_minor, { paying: `Quote ${q.row.quote_id}`, anotherCard: `${q.base}/pay` }) });
  });

  const sandboxConfirm = page(async (ctx) => {
    if (!deps.sandbox) throw new PageError(404, 'Not found', 'There is no such page.');
    const form = await postedForm(ctx, deps);
    const q = await loadQuote(ctx, deps);
    const state = await openCheckout(ctx, q);
    if (!state) return;
    let paymentMethod: string;
    if (await surcharging(q, state)) {
      // The reviewed card (or a test card posted straight here): the surcharge is worked out again by the workflow for
      // exactly the method confirmed, so the payer pays what the server computed, whatever the page sent.
      const posted = z.union([z.enum(SANDBOX_SURCHARGE_CARD_IDS as [string, ...string[]]), z.literal(state.surcharge?.paymentMethodId ?? 'pm_none')]).safeParse(form.payment_method);
      if (!posted.success) return renderCheckout(ctx, q, state, '', 'Choose one of the sandbox cards.');
      const reviewed = await applySurcharge(q, posted.data);
      if (!reviewed?.surcharge || reviewed.status !== 'checkout-open') return seeOther(ctx, q.base);
      paymentMethod = reviewed.surcharge.paymentMethodId;
    } else {
      const testMethod = z.enum(SANDBOX_PAYMENT_METHODS).safeParse(form.payment_method);
      if (!testMethod.success) return renderCheckout(ctx, q, state, '', 'Choose one of the sandbox outcomes.');
      paymentMethod = testMethod.data;
    }
    try {
      // What Stripe.js does from the browser; the outcome is read back from Stripe by the workflow, not taken from here.
      const account = await merchantAccount(deps.db, q.row.merchant_id);
      await deps.stripe.paymentIntents.confirm(state.paymentIntentId, { payment_method: paymentMethod, return_url: absolute(`${q.base}/return`) },
        account.options(idempotencyKey(state.paymentIntentId, `sandbox-confirm-${paymentMethod}`)));
    } catch (err) {
      const { type, code, message } = err as { type?: string; code?: string; message?: string };
      // A decline is an answer: the intent now carries last_payment_error. An intent that moved on (a second click)
      // is the workflow's to read. Anything else (e.g. a method this intent does not take) is shown.
      if (type !== 'StripeCardError' && code !== 'payment_intent_unexpected_state') {
        if (type !== 'StripeInvalidRequestError') throw err;
        return await renderCheckout(ctx, q, state, '', message ?? 'The payment could not be confirmed.');
      }
    }
    seeOther(ctx, `${q.base}/return?payment_intent=${encodeURIComponent(state.paymentIntentId)}`);
  });

  const returned = page(async (ctx) => {
    const q = await loadQuote(ctx, deps);
    const id = paymentIntentId.safeParse(ctx.query.payment_intent);
    if (!id.success) throw new PageError(400, 'Payment not recognised', 'This return link does not name a payment. Open the quote again to see where it stands.');
    let state: QuotePaymentState | undefined;
    try {
      // A reload completes again: the workflow answers with the first completion's result and posts nothing twice.
      state = await workflowOf(q.row).executeUpdate(completeCheckoutUpdate, { args: [{ paymentIntentId: id.data }] });
    } catch (err) {
      if (refusal(err) === undefined) throw err;
      state = await runningState(deps, q.row); // an earlier attempt's payment, or the workflow has closed: where it stands now
    }
    const view = viewOf(deps, q.row, state);
    ctx.state.log.info({ quotePaymentId: q.row.id, status: view.status }, 'pay now: payer returned');
    const back = returnToQuote(q.row, view);
    seeOther(ctx, back ?? q.base); // still open, cancelled or expired: the quote page says which
  });

  return { checkout, pay, surcharge, sandboxReview, sandboxConfirm, returned };
}
