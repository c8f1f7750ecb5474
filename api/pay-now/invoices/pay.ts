// "Pay selected": POST /pay/m/:merchantId/invoices/pay. Only invoice ids and a method are read from the form (any
// amount in it is ignored): the selection is checked against Settle's copy for a quick answer, then the checkout's
// workflow claims the invoices and reads each again from the accounting package for the amount it charges.
import { findStripeAccount } from '../../../db/stripe-accounts';
import { PAYMENTS_UNAVAILABLE } from '../quote-page';
import { z } from 'zod';
import { heldClaims } from '../../../db/invoice-payment-claims';
import { payerContactIds } from '../../../db/payer-invoices';
import { newId } from '../../../lib/ids';
import { MAX_INVOICES_PER_CHECKOUT, resolveSelection } from '../../../lib/payments/invoice-selection';
import { PAYMENT_METHOD_KINDS } from '../../../lib/quotes/methods';
import { taskQueueName } from '../../../lib/task-queues';
import { SettleMerchantId, SettlePayerId, SettleStatus } from '../../../lib/temporal/search-attributes';
import { checkoutOpenedUpdate, DEFAULT_INVOICE_PAYMENT_TIMING, invoicePaymentWorkflowId } from '../../../workflows/invoice-payments/definitions';
import { invoicePaymentWorkflow } from '../../../workflows/invoice-payments/invoice-payment-workflow';
import type { ApiDeps } from '../../deps';
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
    const refuse = (status: number, text: string) => renderInvoices(ctx, deps, req, { status, notice: { kind: 'error', text }, selected: requested });
    const method = z.enum(PAYMENT_METHOD_KINDS).safeParse(form.get('method'));
    if (!method.success) return refuse(422, 'Choose how you would like to pay.');
    if (!(await findStripeAccount(deps.db, merchantId))?.charges_enabled) return refuse(409, PAYMENTS_UNAVAILABLE(req.merchant.name));

    const ids = requested.filter((id) => INVOICE_ID.test(id));
    const copies = ids.length ? await deps.db.selectFrom('accounting_invoices').selectAll().where('merchant_id', '=', merchantId).where('id', 'in', ids).execute() : [];
    const selection = resolveSelection({
      requested, method: method.data, merchantMethods: req.merchant.payment_methods, contactIds: await payerContactIds(deps.db, merchantId, payerId),
      found: copies.map((c) => ({ id: c.id, number: c.number, contactId: c.contact_id, status: c.status, currency: c.currency, amountDueMinor: c.amount_due_minor })),
    });
    if (!selection.ok) return refuse(422, selection.reason);
    if ((await heldClaims(deps.db, merchantId, ids)).length) {
      return refuse(409, 'One of the selected invoices is already being paid. See "Payments in progress", or wait for that payment to finish.');
    }

    const checkoutId = newId('chk');
    const handle = await deps.temporal.workflow.start(invoicePaymentWorkflow, {
      workflowId: invoicePaymentWorkflowId(merchantId, checkoutId), taskQueue: taskQueueName(deps.taskQueuePrefix, 'workflows'),
      args: [{ checkoutId, merchantId, payerId, invoiceIds: selection.lines.map((l) => l.invoiceId), method: method.data, timing: DEFAULT_INVOICE_PAYMENT_TIMING }],
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
