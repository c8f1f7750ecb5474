// Paying an open invoice checkout: GET /checkouts/:checkoutId (Stripe.js, or the sandbox checkout), POST
// /sandbox-confirm (confirm as Stripe.js would), GET /return (the workflow reads the outcome from Stripe) and POST
// /cancel. Each answers only the payer whose checkout it is; the outcome is shown on the invoice page.
import { merchantAccount } from '../../../activities/stripe/connected-account';
import { idempotencyKey } from '../../../lib/idempotency';
import type { Context } from 'koa';
import { z } from 'zod';
import { formatAmount, type Currency } from '../../../lib/money';
import {
  applySurchargeUpdate,
  cancelInvoiceCheckoutUpdate,
  completeInvoiceCheckoutUpdate,
  invoicePaymentWorkflowId,
  type InvoicePaymentState,
} from '../../../workflows/invoice-payments/definitions';
import type { ApiDeps } from '../../deps';
import { ProblemError } from '../../problem';
import { updateProblem } from '../../quotes/update-problem';
import { checkoutHeading, SANDBOX_PAYMENT_METHODS, sandboxCheckoutPage, STRIPE_CHECKOUT_SCRIPT, stripeCheckoutPage, type CheckoutModel } from '../checkout-pages';
import { html } from '../html';
import { SANDBOX_SURCHARGE_CARD_IDS, sandboxSurchargeChoices, surchargeFigures, surchargeReviewPage } from '../surcharge-pages';
import { surchargeRulesOf } from '../../../db/surcharges';
import { sendPage, STRIPE_JS } from '../layout';
import { page, PageError, postedForm, seeOther } from '../requests';
import { checkoutIdOf, loadInvoicesRequest, payersCheckout, type InvoicesRequest } from './context';
import { checkoutSubject } from './list';

type OpenCheckout = InvoicePaymentState & { paymentIntentId: string; currency: string; amountMinor: number };

const paymentIntentId = z.string().regex(/^pi_[A-Za-z0-9_]{1,255}$/);
const WAITING_FOR_PAYER = ['requires_payment_method', 'requires_confirmation', 'requires_action'];

/** Why the workflow refused an update (its validator, or it has closed); anything else is not the payer's doing. */
function refused(err: unknown): boolean {
  const problem = updateProblem(err);
  return problem instanceof ProblemError && problem.slug === 'conflict';
}

export function invoiceCheckoutHandlers(deps: ApiDeps) {
  const absolute = (path: string) => `${deps.publicUrl.replace(/\/$/, '')}${path}`;

  /** The request's checkout, this payer's, with where its pages are; anyone else's is "not found". */
  async function load(ctx: Context): Promise<{ req: InvoicesRequest; checkoutId: string; base: string; state: InvoicePaymentState } | undefined> {
    const req = await loadInvoicesRequest(ctx, deps);
    if (!req.payer) {
      seeOther(ctx, req.base); // signed out (or the session expired): sign in, the open checkout is listed there
      return undefined;
    }
    const checkoutId = checkoutIdOf(ctx);
    const state = await payersCheckout(deps, req, checkoutId);
    if (!state) throw new PageError(404, 'Payment not found', 'This payment does not exist or is not yours. Go back to your invoices to pay them.');
    return { req, checkoutId, base: `${req.base}/checkouts/${checkoutId}`, state };
  }
  const isOpen = (state: InvoicePaymentState): state is OpenCheckout => state.status === 'checkout-open' && Boolean(state.paymentIntentId);
  const backToList = (ctx: Context, req: InvoicesRequest, checkoutId: string) => seeOther(ctx, `${req.base}?checkout=${checkoutId}`);
  const handle = (req: InvoicesRequest, checkoutId: string) => deps.temporal.workflow.getHandle(invoicePaymentWorkflowId(req.merchant.id, checkoutId));

  /** Whether this checkout's payment may carry a surcharge: the merchant surcharges, and it is a card payment. */
  const surcharging = async (req: InvoicesRequest, state: InvoicePaymentState) => state.method === 'card' && (await surchargeRulesOf(deps.db, req.merchant.id)).enabled;

  const modelOf = (c: { req: InvoicesRequest; base: string }, state: OpenCheckout, error?: string): CheckoutModel => ({
    base: c.base, backUrl: c.req.base, merchantName: c.req.merchant.name, what: checkoutSubject(state), method: state.method,
    amount: formatAmount(state.amountMinor, state.currency as Currency), currency: state.currency, paymentIntentId: state.paymentIntentId, error,
  });

  async function renderCheckout(ctx: Context, c: { req: InvoicesRequest; base: string }, state: OpenCheckout, clientSecret: string, error?: string, stripeAccount?: string) {
    const model = modelOf(c, state, error);
    const title = `Pay ${checkoutSubject(state)} · ${c.req.merchant.name}`;
    if (deps.sandbox && (await surcharging(c.req, state))) {
      return sendPage(ctx, { status: error ? 409 : 200, title, body: html`${checkoutHeading(model)}${sandboxSurchargeChoices(model)}` });
    }
    if (deps.sandbox) return sendPage(ctx, { status: error ? 409 : 200, title, body: sandboxCheckoutPage(model) });
    if (!deps.stripePublishableKey) throw new Error('no Stripe publishable key is configured: Stripe.js cannot collect the payment');
    const stripeJs = deps.stripeJs ?? STRIPE_JS;
    sendPage(ctx, {
      title, stripe: stripeJs, script: STRIPE_CHECKOUT_SCRIPT,
      body: stripeCheckoutPage({ ...model, publishableKey: deps.stripePublishableKey, clientSecret, stripeAccount, returnUrl: absolute(`${c.base}/return`),
        scriptUrl: stripeJs.scriptUrl, ...((await surcharging(c.req, state)) ? { surchargeUrl: `${c.base}/surcharge` } : {}) }),
    });
  }

  const show = page(async (ctx) => {
    const c = await load(ctx);
    if (!c) return;
    if (!isOpen(c.state)) return backToList(ctx, c.req, c.checkoutId);
    // The client secret lets a browser confirm the intent: fetched for the page, never kept (nor in the workflow).
    const account = await merchantAccount(deps.db, c.req.merchant.id);
    const intent = await deps.stripe.paymentIntents.retrieve(c.state.paymentIntentId, {}, account.options());
    if (!WAITING_FOR_PAYER.includes(intent.status)) return seeOther(ctx, `${c.base}/return?payment_intent=${encodeURIComponent(intent.id)}`);
    await renderCheckout(ctx, c, c.state, intent.client_secret ?? '', undefined, account.accountId);
  });

  /** The workflow works out the surcharge for this payment method and sets the intent to the total; its answer. */
  async function applySurcharge(c: { req: InvoicesRequest; checkoutId: string }, paymentMethodId: string): Promise<InvoicePaymentState | undefined> {
    try {
      return await handle(c.req, c.checkoutId).executeUpdate(applySurchargeUpdate, { args: [{ paymentMethodId }] });
    } catch (err) {
      if (!refused(err)) throw err;
      return undefined; // ended meanwhile
    }
  }

  /** The Stripe.js checkout's review (JSON): the surcharge for the PaymentMethod Stripe.js made, set on the intent. */
  const surcharge = page(async (ctx) => {
    const form = await postedForm(ctx, deps);
    const c = await load(ctx);
    if (!c) return;
    const answer = (status: number, body: object): void => void Object.assign(ctx, { status, type: 'application/json', body });
    const method = z.string().regex(/^pm_[A-Za-z0-9_]{1,255}$/).safeParse(form.payment_method);
    if (!method.success) return answer(422, { error: 'Enter your card details again.' });
    const state = isOpen(c.state) && (await surcharging(c.req, c.state)) ? await applySurcharge(c, method.data) : undefined;
    if (!state?.surcharge || !isOpen(state)) return answer(409, { error: 'This payment is no longer open here. Go back to your invoices.' });
    answer(200, surchargeFigures(state.currency, state.surcharge, state.amountMinor));
  });

  const sandboxReview = page(async (ctx) => {
    if (!deps.sandbox) throw new PageError(404, 'Not found', 'There is no such page.');
    const form = await postedForm(ctx, deps);
    const c = await load(ctx);
    if (!c) return;
    if (!isOpen(c.state) || !(await surcharging(c.req, c.state))) return backToList(ctx, c.req, c.checkoutId);
    const testMethod = z.enum(SANDBOX_SURCHARGE_CARD_IDS as [string, ...string[]]).safeParse(form.payment_method);
    if (!testMethod.success) return renderCheckout(ctx, c, c.state, '', 'Choose one of the sandbox cards.');
    const state = await applySurcharge(c, testMethod.data);
    if (!state || !isOpen(state) || !state.surcharge) return backToList(ctx, c.req, c.checkoutId);
    ctx.state.log.info({ merchantId: c.req.merchant.id, checkoutId: c.checkoutId, surchargeMinor: state.surcharge.surchargeMinor }, 'pay now invoices: surcharge shown');
    sendPage(ctx, { title: `Review · ${c.req.merchant.name}`, body: surchargeReviewPage(modelOf(c, state), state.surcharge, state.amountMinor) });
  });

  const sandboxConfirm = page(async (ctx) => {
    if (!deps.sandbox) throw new PageError(404, 'Not found', 'There is no such page.');
    const form = await postedForm(ctx, deps);
    const c = await load(ctx);
    if (!c) return;
    if (!isOpen(c.state)) return backToList(ctx, c.req, c.checkoutId);
    let paymentMethod: string;
    if (await surcharging(c.req, c.state)) {
      // The reviewed card (or a test card posted straight here): the surcharge is worked out again by the workflow
      // for exactly the method confirmed, so the payer pays what the server computed, whatever the page sent.
      const posted = z.union([z.enum(SANDBOX_SURCHARGE_CARD_IDS as [string, ...string[]]), z.literal(c.state.surcharge?.paymentMethodId ?? 'pm_none')]).safeParse(form.payment_method);
      if (!posted.success) return renderCheckout(ctx, c, c.state, '', 'Choose one of the sandbox cards.');
      const state = await applySurcharge(c, posted.data);
      if (!state?.surcharge || !isOpen(state)) return backToList(ctx, c.req, c.checkoutId);
      paymentMethod = state.surcharge.paymentMethodId;
    } else {
      const testMethod = z.enum(SANDBOX_PAYMENT_METHODS).safeParse(form.payment_method);
      if (!testMethod.success) return renderCheckout(ctx, c, c.state, '', 'Choose one of the sandbox outcomes.');
      paymentMethod = testMethod.data;
    }
    try {
      // What Stripe.js does from the browser; the outcome is read back from Stripe by the workflow, not taken from here.
      const account = await merchantAccount(deps.db, c.req.merchant.id);
      await deps.stripe.paymentIntents.confirm(c.state.paymentIntentId, { payment_method: paymentMethod, return_url: absolute(`${c.base}/return`) },
        account.options(idempotencyKey(c.state.paymentIntentId, `sandbox-confirm-${paymentMethod}`)));
    } catch (err) {
      const { type, code, message } = err as { type?: string; code?: string; message?: string };
      // A decline is an answer (the intent carries it); an intent that moved on is the workflow's to read.
      if (type !== 'StripeCardError' && code !== 'payment_intent_unexpected_state') {
        if (type !== 'StripeInvalidRequestError') throw err;
        return await renderCheckout(ctx, c, c.state, '', message ?? 'The payment could not be confirmed.');
      }
    }
    seeOther(ctx, `${c.base}/return?payment_intent=${encodeURIComponent(c.state.paymentIntentId)}`);
  });

  const returned = page(async (ctx) => {
    const c = await load(ctx);
    if (!c) return;
    const id = paymentIntentId.safeParse(ctx.query.payment_intent);
    if (!id.success) throw new PageError(400, 'Payment not recognised', 'This return link does not name a payment. Go back to your invoices to see where it stands.');
    try {
      // A reload completes again: the workflow answers with the first completion's result and charges nothing twice.
      const state = await handle(c.req, c.checkoutId).executeUpdate(completeInvoiceCheckoutUpdate, { args: [{ paymentIntentId: id.data }] });
      ctx.state.log.info({ merchantId: c.req.merchant.id, checkoutId: c.checkoutId, status: state.status }, 'pay now invoices: payer returned');
    } catch (err) {
      if (!refused(err)) throw err; // not this checkout's payment, or it has closed: the list says where it stands
    }
    backToList(ctx, c.req, c.checkoutId);
  });

  const cancel = page(async (ctx) => {
    await postedForm(ctx, deps);
    const c = await load(ctx);
    if (!c) return;
    try {
      await handle(c.req, c.checkoutId).executeUpdate(cancelInvoiceCheckoutUpdate);
    } catch (err) {
      if (!refused(err)) throw err; // over already: the list says how it ended
    }
    backToList(ctx, c.req, c.checkoutId);
  });

  return { show, surcharge, sandboxReview, sandboxConfirm, returned, cancel };
}
