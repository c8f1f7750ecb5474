// "Pay selected": POST /pay/m/:merchantId/invoices/pay. Invoice ids, a method and, where the merchant allows part
// payments, the amount to pay of each invoice (`amount-<invoice id>`; any other amount field is ignored) are read from
// the form: the selection and amounts are checked against Settle's copy for a quick answer (a bad amount is a 422 with
// the reason, and nothing is started), then the checkout's workflow claims the invoices, reads each again from the
// accounting package and checks the amounts again against what is due there before it charges anything.
import { findStripeAccount } from '../../../db/stripe-accounts';
import { PAYMENTS_UNAVAILABLE } from '../quote-page';
import { z } from 'zod';
import { heldClaims } from '../../../db/invoice-payment-claims';
import { payerContactIds } from '../../../db/payer-invoices';
import { partialPaymentSettings } from '../../../db/merchants';
import { newId } from '../../../lib/ids';
import { parseAmount, type Currency } from '../../../lib/money';
import { MAX_INVOICES_PER_CHECKOUT, resolveSelection } from '../../../lib/payments/invoice-selection';
import { PAYMENT_METHOD_KINDS } from '../../../lib/quotes/methods';
import { taskQueueName } from '../../../lib/task-queues';
import { SettleMerchantId, SettlePayerId, SettleStatus } from '../../../lib/temporal/search-attributes';
import { checkoutOpenedUpdate, DEFAULT_INVOICE_PAYMENT_TIMING, invoicePaymentWorkflowId } from '../../../workflows/invoice-payments/definitions';
import { invoicePaymentWorkflow } from '../../../workflows/invoice-payments/invoice-payment-workflow';
import type { ApiDeps } from '../../deps';
import { problemTypeUri, PROBLEM_TYPES } from '../../problem';
import { page, postedParams, seeOther } from '../requests';
import { loadInvoicesRequest } from './context';
import { renderInvoices } from './list';

// Xero's ids are UUIDs, QuickBooks' are digits: anything else is not worth a lookup (and is "not yours" below).
const INVOICE_ID = /^[A-Za-z0-9-]{1,64}$/;

export function payHandler(deps: ApiDeps) {
  return page(async (ctx) => {
    const form = await postedParams(ctx, deps);
    const req = await loadInvoicesRequest(ctx, deps);
    if (!req.payer) return renderInvoices(ctx, deps, req, { status: 401, notice: { kind: 'error', text: 'Sign in first.' } });
    const merchantId = req.merchant.id;
    const payerId = req.payer.id;
    const requested = form.getAll('invoice').slice(0, MAX_INVOICES_PER_CHECKOUT + 1);
    // What the payer typed, per selected invoice: shown again as typed when the page is refused.
    const typed = Object.fromEntries(requested.map((id) => [id, form.get(`amount-${id}`)?.trim() ?? '']).filter(([, text]) => text !== ''));
    const refuse = (status: number, text: string) => renderInvoices(ctx, deps, req, { status, notice: { kind: 'error', text }, selected: requested, amounts: typed });
    /** A refused amount: the page again with the reason, or problem+json to a client that asks for it; nothing started. */
    const refuseAmount = (reason: string, invoiceId?: string) => {
      if (ctx.accepts('text/html', 'application/problem+json') !== 'application/problem+json') return refuse(422, reason);
      const slug = 'partial-amount-invalid';
      ctx.status = 422;
      ctx.type = 'application/problem+json';
      ctx.body = { type: problemTypeUri(slug), title: PROBLEM_TYPES[slug].title, status: 422, detail: reason, reason, ...(invoiceId ? { invoiceId } : {}), instance: ctx.path };
    };
    const method = z.enum(PAYMENT_METHOD_KINDS).safeParse(form.get('method'));
    if (!method.success) return refuse(422, 'Choose how you would like to pay.');
    if (!(await findStripeAccount(deps.db, merchantId))?.charges_enabled) return refuse(409, PAYMENTS_UNAVAILABLE(req.merchant.name));

    const ids = requested.filter((id) => INVOICE_ID.test(id));
    const copies = ids.length ? await deps.db.selectFrom('accounting_invoices').selectAll().where('merchant_id', '=', merchantId).where('id', 'in', ids).execute() : [];
    // The amounts typed, in each invoice's currency. The balance shown (left as it was) is "pay it in full": the
    // checkout then pays what is due in the books when it opens, as it does without part payments.
    const amounts: Record<string, number> = {};
    for (const copy of copies) {
      const text = typed[copy.id];
      if (text === undefined) continue;
      const parsed = parseAmount(text, copy.currency as Currency);
      if (!parsed.ok) return refuseAmount(`Invoice ${copy.number}: enter the amount to pay as a number such as 25.00 (${parsed.reason}).`, copy.id);
      if (parsed.minor !== copy.amount_due_minor) amounts[copy.id] = parsed.minor;
    }
    const selection = resolveSelection({
      requested, method: method.data, merchantMethods: req.merchant.payment_methods, contactIds: await payerContactIds(deps.db, merchantId, payerId),
      found: copies.map((c) => ({ id: c.id, number: c.number, contactId: c.contact_id, status: c.status, currency: c.currency, amountDueMinor: c.amount_due_minor })),
      partial: { settings: partialPaymentSettings(req.merchant), requested: amounts },
    });
    if (!selection.ok) return selection.invoiceId ? refuseAmount(selection.reason, selection.invoiceId) : refuse(422, selection.reason);
    if ((await heldClaims(deps.db, merchantId, ids)).length) {
      return refuse(409, 'One of the selected invoices is already being paid. See "Payments in progress", or wait for that payment to finish.');
    }

    const checkoutId = newId('chk');
    const handle = await deps.temporal.workflow.start(invoicePaymentWorkflow, {
      workflowId: invoicePaymentWorkflowId(merchantId, checkoutId), taskQueue: taskQueueName(deps.taskQueuePrefix, 'workflows'),
      args: [{ checkoutId, merchantId, payerId, invoiceIds: selection.lines.map((l) => l.invoiceId), method: method.data, timing: DEFAULT_INVOICE_PAYMENT_TIMING,
        ...(Object.keys(amounts).length ? { amounts } : {}) }],
      typedSearchAttributes: [{ key: SettleMerchantId, value: merchantId }, { key: SettlePayerId, value: payerId }, { key: SettleStatus, value: 'opening' }],
    });
    // The workflow holds the invoices and reads them again before the payer is sent to pay; a race lost to another
    // checkout, or an invoice paid meanwhile, is answered here.
    const state = await handle.executeUpdate(checkoutOpenedUpdate);
    if (state.status !== 'checkout-open') return refuse(409, state.failure ?? 'This payment could not start. Nothing was charged.');
    ctx.state.log.info({ merchantId, payerId, checkoutId, invoices: state.invoices.length, method: method.data }, 'pay now invoices: checkout opened');
    seeOther(ctx, `${req.base}/checkouts/${checkoutId}`);
  });
}
