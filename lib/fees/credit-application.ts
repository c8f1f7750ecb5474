// Settle's credit invoices to a merchant that are not fully applied are applied automatically to the merchant's
// next invoices (the product tells merchants not to apply them by hand). Pure: the upload activity stores the
// plan before it allocates anything, so a retry allocates the same amounts.

export interface OpenCredit {
  id: string;
  /** YYYY-MM-DD: older credits are used first. */
  issuedOn: string;
  unappliedMinor: number;
}

export interface CreditApplication {
  creditId: string;
  amountMinor: number;
}

/** Oldest credit first, never more than the invoice's amount due or a credit's unapplied amount. */
export function planCreditApplications(invoiceDueMinor: number, credits: readonly OpenCredit[]): CreditApplication[] {
  const ordered = [...credits].filter((c) => c.unappliedMinor > 0)
    .sort((a, b) => (a.issuedOn < b.issuedOn ? -1 : a.issuedOn > b.issuedOn ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const plan: CreditApplication[] = [];
  let due = Math.max(0, invoiceDueMinor);
  for (const credit of ordered) {
    if (due === 0) break;
    const amountMinor = Math.min(due, credit.unappliedMinor);
    plan.push({ creditId: credit.id, amountMinor });
    due -= amountMinor;
  }
  return plan;
}
