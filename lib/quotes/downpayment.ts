// Downpayment reconciliation: which invoice is the PSA's downpayment invoice for a quote, and how much of the
// quote's credit note to allocate to it. Pure: the workflow decides with these, activities only fetch and write.

export interface CandidateInvoice {
  id: string;
  number: string;
  reference?: string;
  contactId: string;
  currency: string;
  status: string;
  amountDueMinor: number;
}

/** The quote id as a whole word (so quote 1001 does not match 10012), case-insensitive. */
function mentions(text: string | undefined, quoteId: string): boolean {
  if (!text) return false;
  const escaped = quoteId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9])${escaped}($|[^A-Za-z0-9])`, 'i').test(text);
}

/**
 * The downpayment invoice for the quote among the contact's invoices: authorised with an amount due, in the
 * quote's currency, naming the quote in its reference or number, and not the quote payment invoice Settle
 * made itself. The oldest such invoice wins when there are several (invoices come oldest first).
 */
export function findDownpaymentInvoice<I extends CandidateInvoice>(
  invoices: readonly I[],
  quote: { quoteId: string; contactId: string; currency: string; ownInvoiceId?: string },
): I | undefined {
  return invoices.find(
    (inv) =>
      inv.id !== quote.ownInvoiceId &&
      inv.contactId === quote.contactId &&
      inv.currency === quote.currency &&
      inv.status === 'authorised' &&
      inv.amountDueMinor > 0 &&
      (mentions(inv.reference, quote.quoteId) || mentions(inv.number, quote.quoteId)),
  );
}

/** Allocate what the credit note has left, but never more than the invoice still owes. */
export function downpaymentAllocationMinor(creditRemainingMinor: number, invoiceAmountDueMinor: number): number {
  return Math.max(0, Math.min(creditRemainingMinor, invoiceAmountDueMinor));
}
