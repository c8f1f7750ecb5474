// Automatic payments by billing terms: when an invoice is charged and for how much. Pure, so the scheduler (which
// invoices are due today) and each charge attempt (is it still owed, and how much, right now) apply one rule.

export interface BillingTerms {
  /** due-date: charge on the invoice's due date; days-after-invoice: N days after the invoice date. */
  rule: 'due-date' | 'days-after-invoice';
  daysAfter: number | null;
  maxAmountMinor: number;
  currency: string;
  status: 'active' | 'revoked';
}

export interface InvoiceNow {
  status: string;
  /** YYYY-MM-DD */
  date: string;
  dueDate?: string | null;
  currency: string;
  amountDueMinor: number;
}

export type ChargeDecision =
  | { charge: true; amountMinor: number }
  | { charge: false; reason: 'terms-revoked' | 'not-owed' | 'not-due-yet' | 'other-currency' | 'over-maximum'; detail: string };

const DAY_MS = 86_400_000;

function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The day the terms charge this invoice. */
export function chargeDate(terms: Pick<BillingTerms, 'rule' | 'daysAfter'>, invoice: Pick<InvoiceNow, 'date' | 'dueDate'>): string {
  return terms.rule === 'due-date' ? (invoice.dueDate ?? invoice.date) : addDays(invoice.date, terms.daysAfter ?? 0);
}

/**
 * Whether to charge the invoice today, and how much: what is due now (an invoice paid in part by other means is
 * charged the rest), never a paid, voided or draft invoice, never over the terms' maximum.
 */
export function decideCharge(terms: BillingTerms, invoice: InvoiceNow, today: string): ChargeDecision {
  const no = (reason: Extract<ChargeDecision, { charge: false }>['reason'], detail: string): ChargeDecision => ({ charge: false, reason, detail });
  if (terms.status !== 'active') return no('terms-revoked', 'the payer revoked the billing terms');
  if (invoice.status !== 'authorised' || invoice.amountDueMinor <= 0) return no('not-owed', `the invoice is ${invoice.status} with nothing to charge`);
  const on = chargeDate(terms, invoice);
  if (on > today) return no('not-due-yet', `charged on ${on}`);
  if (invoice.currency !== terms.currency) return no('other-currency', `the invoice is in ${invoice.currency}, the terms in ${terms.currency}`);
  if (invoice.amountDueMinor > terms.maxAmountMinor) return no('over-maximum', `the amount due is over the terms' maximum per invoice`);
  return { charge: true, amountMinor: invoice.amountDueMinor };
}
