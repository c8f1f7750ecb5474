// The payer's invoice page, drawn from Settle's copy of the accounting data (after a GET, or again with the error of a
// refused POST): outstanding invoices (those a checkout holds are shown but not selectable), the payer's open
// checkouts, billing terms and past payments; and what became of the checkout the payer just came back from.
import type { Context } from 'koa';
import { heldClaims } from '../../../db/invoice-payment-claims';
import { outstandingInvoices, payerPayments } from '../../../db/payer-invoices';
import { formatAmount, type Currency } from '../../../lib/money';
import { invoiceMethods } from '../../../lib/payments/invoice-selection';
import type { InvoicePaymentState } from '../../../workflows/invoice-payments/definitions';
import type { ApiDeps } from '../../deps';
import { sendPage } from '../layout';
import { payersCheckout, type InvoicesRequest } from './context';
import { invoicesPage, signInPage, type Notice } from './views';

const money = (minor: number, currency: string) => `${formatAmount(minor, currency as Currency)} ${currency}`;

/** "invoices INV-1, INV-2": what a checkout pays ("invoice INV-1 (part)" when it pays part of one). */
export const checkoutSubject = (s: Pick<InvoicePaymentState, 'invoices'>) =>
  `${s.invoices.length === 1 ? 'invoice' : 'invoices'} ${s.invoices.map((i) => (i.amountDueMinor !== undefined ? `${i.number} (part)` : i.number)).join(', ')}`;

/** What became of a checkout, in words, for the page the payer comes back to. */
export function outcomeNotice(s: InvoicePaymentState, merchantName: string): Notice | undefined {
  // With a card surcharge, what was charged is the invoices plus the surcharge: say both.
  const surcharged = s.surcharge && s.surcharge.surchargeMinor > 0 && s.currency ? s.surcharge : undefined;
  const amount = surcharged ? `${money(surcharged.totalMinor, s.currency!)} (including a ${money(surcharged.surchargeMinor, s.currency!)} card surcharge)`
    : s.amountMinor !== undefined && s.currency ? money(s.amountMinor, s.currency) : '';
  switch (s.status) {
    case 'paid': return { kind: 'ok', text: `Thank you: your payment of ${amount} for ${checkoutSubject(s)} was received. ${merchantName} has been sent it.` };
    case 'processing': return { kind: 'info', text: `Your bank debit of ${amount} for ${checkoutSubject(s)} was submitted. Bank debits take a few days to clear; you do not need to do anything else.` };
    case 'failed': return { kind: 'error', text: `Your payment did not go through: ${s.failure ?? 'the payment failed.'} Nothing was charged. Select the invoices and try again.` };
    case 'refused': return { kind: 'error', text: s.failure ?? 'This payment could not start.' };
    case 'cancelled': return { kind: 'info', text: 'The payment was cancelled. Nothing was charged.' };
    case 'abandoned': return { kind: 'info', text: 'That payment was not finished in time. Nothing was charged; select the invoices to pay them.' };
    default: return undefined;
  }
}

const TERMS_RULE = (t: { rule: string; days_after: number | null }) =>
  t.rule === 'due-date' ? "on each invoice's due date" : `${t.days_after ?? 0} days after each invoice's date`;
const PAYMENT_HOW: Record<string, string> = { pay_now: 'Paid online', auto_payment: 'Automatic payment' };
const PAYMENT_STATUS: Record<string, string> = { synced: 'Recorded', pending: 'Being recorded' };

export async function renderInvoices(
  ctx: Context, deps: ApiDeps, req: InvoicesRequest,
  extra: { status?: number; notice?: Notice; selected?: string[]; amounts?: Record<string, string>; loginEcho?: { email?: string; error?: string } } = {},
): Promise<void> {
  const title = `Your invoices · ${req.merchant.name}`;
  if (!req.payer) return sendPage(ctx, { status: extra.status, title, body: signInPage(req.base, req.merchant.name, extra.loginEcho, extra.notice) });
  const merchantId = req.merchant.id;
  const payerId = req.payer.id;
  const invoices = await outstandingInvoices(deps.db, merchantId, payerId);
  const held = await heldClaims(deps.db, merchantId, invoices.map((i) => i.id));
  const heldIds = new Set(held.map((h) => h.invoice_id));
  const openCheckouts = [];
  for (const checkoutId of new Set(held.filter((h) => h.payer_id === payerId).map((h) => h.checkout_id))) {
    const state = await payersCheckout(deps, req, checkoutId);
    if (state?.status === 'checkout-open' && state.currency) openCheckouts.push({ checkoutId, what: checkoutSubject(state), amount: money(state.amountMinor ?? 0, state.currency) });
  }
  const terms = await deps.db.selectFrom('billing_terms').selectAll().where('merchant_id', '=', merchantId).where('payer_id', '=', payerId).orderBy('created_at').execute();
  const payments = await payerPayments(deps.db, merchantId, payerId);
  const paidIds = [...new Set(payments.flatMap((p) => p.applications.map((a) => a.invoiceId)))];
  const numbers = new Map((paidIds.length
    ? await deps.db.selectFrom('accounting_invoices').select(['id', 'number']).where('merchant_id', '=', merchantId).where('id', 'in', paidIds).execute()
    : []).map((i) => [i.id, i.number]));
  sendPage(ctx, {
    status: extra.status, title,
    body: invoicesPage({
      base: req.base, merchantName: req.merchant.name, payerName: req.payer.name, notice: extra.notice, selected: extra.selected, amounts: extra.amounts,
      // Part payments (issue 27): the least part, in the currency of the invoices shown (the checkout checks again).
      partialMinimum: req.merchant.partial_payments_enabled && invoices.length
        ? money(Number(req.merchant.partial_payment_minimum_minor), invoices[0].currency) : undefined,
      invoices: invoices.map((i) => ({ id: i.id, number: i.number, date: i.date, dueDate: i.due_date, amountDue: formatAmount(i.amount_due_minor, i.currency as Currency),
        currency: i.currency, beingPaid: heldIds.has(i.id) })),
      methods: invoiceMethods(req.merchant.payment_methods, invoices[0]?.currency ?? ''),
      openCheckouts,
      terms: terms.map((t) => ({ id: t.id, active: t.status === 'active',
        description: `Invoices are charged automatically ${TERMS_RULE(t)}, up to ${money(t.max_amount_minor, t.currency)} per invoice.` })),
      payments: payments.map((p) => ({ date: (p.paid_on ?? p.created_at.toISOString()).slice(0, 10), amount: money(p.amount_minor, p.currency),
        invoices: p.applications.map((a) => numbers.get(a.invoiceId) ?? a.invoiceId).join(', '), how: PAYMENT_HOW[p.channel] ?? 'Payment',
        status: PAYMENT_STATUS[p.sync_status] ?? 'Received' })),
    }),
  });
}
