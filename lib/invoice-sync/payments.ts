// Payment sync back to Manage: which payments and credit allocations applied to a synced invoice in the accounting
// package are new. One is recognised by its accounting id, so it is carried back once however often the sync runs,
// whoever applied it (Settle, or someone by hand in Xero or QuickBooks).

export interface SettlementLike {
  id: string;
  kind: 'payment' | 'credit';
  amountMinor: number;
  date: string;
}

export function newSettlements<S extends SettlementLike>(settlements: readonly S[], carried: ReadonlySet<string>): S[] {
  const seen = new Set<string>();
  return settlements.filter((s) => {
    if (s.amountMinor <= 0 || carried.has(s.id) || seen.has(s.id)) return false;
    seen.add(s.id);
    return true;
  });
}

/** Manage's payment type for what is carried back. */
export function manageType(kind: SettlementLike['kind']): string {
  return kind === 'credit' ? 'Credit' : 'Payment';
}
