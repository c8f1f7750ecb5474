// Which invoices a payer may pay on the Pay Now page, and for how much: the amount due as the accounting data says,
// or the part of it the payer asked for where the merchant allows part payments (checked by the partial-payment
// rule against that amount due, never taken on trust). Pure and workflow-safe: the page checks Settle's copy with it,
// and the checkout checks the invoices read again from the accounting package with it, right before the
// PaymentIntent is made.
import { bankDebitScheme, type PaymentMethodKind } from '../quotes/methods';
import { decidePartialAmount, type PartialPaymentSettings } from './partial-payment';

/** The most invoices paid by one checkout. */
export const MAX_INVOICES_PER_CHECKOUT = 50;

export interface PayableInvoice {
  id: string;
  number: string;
  contactId: string;
  status: string;
  currency: string;
  amountDueMinor: number;
}

export interface SelectionLine {
  invoiceId: string;
  number: string;
  /** What this payment pays of the invoice. */
  amountMinor: number;
  /** Only when the payer pays part of the invoice: what was due before this payment (the rest stays owed). */
  amountDueMinor?: number;
}

export type Selection =
  | { ok: true; currency: string; totalMinor: number; lines: SelectionLine[] }
  | { ok: false; reason: string; invoiceId?: string };

/** The amounts a payer asked to pay, by invoice id (minor units); an invoice left out is paid in full. */
export type RequestedAmounts = Readonly<Record<string, number>>;

/**
 * The selection as one payment: every id one of the payer's contacts' invoices, authorised and still owed, all in
 * one currency, paid by a method the merchant takes in that currency. `found` holds what the data has for the ids.
 */
export function resolveSelection(opts: {
  requested: readonly string[];
  found: readonly PayableInvoice[];
  contactIds: readonly string[];
  method: PaymentMethodKind;
  merchantMethods: readonly PaymentMethodKind[];
  /** The merchant's part-payment settings and what the payer asked to pay (absent: every invoice in full). */
  partial?: { settings: PartialPaymentSettings; requested: RequestedAmounts };
}): Selection {
  const ids = [...new Set(opts.requested)];
  if (!ids.length) return { ok: false, reason: 'Select at least one invoice to pay.' };
  if (ids.length > MAX_INVOICES_PER_CHECKOUT) return { ok: false, reason: `Pay at most ${MAX_INVOICES_PER_CHECKOUT} invoices at once.` };
  const byId = new Map(opts.found.map((i) => [i.id, i]));
  const lines: SelectionLine[] = [];
  for (const id of ids) {
    const invoice = byId.get(id);
    // Unknown, another payer's, paid, voided or draft: one answer, which tells nothing about other payers' invoices.
    if (!invoice || !opts.contactIds.includes(invoice.contactId) || invoice.status !== 'authorised' || invoice.amountDueMinor <= 0) {
      return { ok: false, reason: 'One of the selected invoices is not an outstanding invoice of yours. Reload the page and select again.' };
    }
    const requested = opts.partial && Object.hasOwn(opts.partial.requested, id) ? opts.partial.requested[id] : undefined;
    const decided = decidePartialAmount(opts.partial?.settings ?? { enabled: false, minimumMinor: 0 }, invoice.amountDueMinor, invoice.currency, requested);
    if (!decided.ok) return { ok: false, reason: `Invoice ${invoice.number}: ${decided.reason}`, invoiceId: id };
    lines.push({ invoiceId: id, number: invoice.number, amountMinor: decided.amountMinor, ...(decided.partial ? { amountDueMinor: invoice.amountDueMinor } : {}) });
  }
  const currencies = new Set(ids.map((id) => byId.get(id)!.currency));
  if (currencies.size > 1) return { ok: false, reason: 'The selected invoices are in different currencies: pay each currency separately.' };
  const [currency] = currencies;
  if (!opts.merchantMethods.includes(opts.method) || (opts.method === 'bank_debit' && !bankDebitScheme(currency))) {
    return { ok: false, reason: `That payment method is not available for ${currency} invoices.` };
  }
  return { ok: true, currency, totalMinor: lines.reduce((sum, l) => sum + l.amountMinor, 0), lines };
}

/** The methods offered for a currency: the merchant's, with bank debit only where a scheme exists. */
export function invoiceMethods(merchantMethods: readonly PaymentMethodKind[], currency: string): PaymentMethodKind[] {
  return merchantMethods.filter((m) => m !== 'bank_debit' || bankDebitScheme(currency) !== undefined);
}
