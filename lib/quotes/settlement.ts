// When a bank debit should have settled: the scheme's settlement window in business days (ACH 4, BECS 3 by
// default), counted from the submission. Pure and workflow-safe; public holidays are not modelled (a holiday only
// makes the workflow ask Stripe a day early, which is harmless: it keeps waiting if Stripe still says processing).
import type { BankDebitScheme } from './methods';

export const DEFAULT_SETTLEMENT_BUSINESS_DAYS: Record<BankDebitScheme, number> = { ach: 4, becs: 3 };

const DAY_MS = 86_400_000;

/** `from` plus `days` business days (Monday to Friday, UTC), at the same time of day. */
export function addBusinessDays(from: number, days: number): number {
  let t = from;
  for (let left = days; left > 0; ) {
    t += DAY_MS;
    const weekday = new Date(t).getUTCDay();
    if (weekday !== 0 && weekday !== 6) left--;
  }
  return t;
}
