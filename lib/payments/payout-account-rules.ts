// Which accounts of a merchant's chart can carry its Stripe money, and which it gets when it chose none. Three roles:
// `clearing` (card payments are received into it, refunds paid from it, the payout empties it), `bank` (where the
// payout lands) and `fees` (Stripe's fees, an expense). What fits is the platform's rule, not taste: Xero moves the
// payout from clearing to the bank with a bank transfer, so both must be bank accounts; QuickBooks receives payments
// into a bank or an Other Current Asset account (Undeposited Funds) and deposits into a bank account. Pure: the API
// checks a merchant's choice with it, the activities fill in unset roles from the connected organisation with it.

export type Books = 'xero' | 'quickbooks';
export const PAYOUT_ACCOUNT_ROLES = ['clearing', 'bank', 'fees'] as const;
export type PayoutAccountRole = (typeof PAYOUT_ACCOUNT_ROLES)[number];

/** One account of the organisation's chart: Xero's code, QuickBooks' Account id; the platform's own type name. */
export interface ChartAccount {
  id: string;
  name: string;
  type: string;
}

export const ALLOWED_TYPES: Record<Books, Record<PayoutAccountRole, readonly string[]>> = {
  xero: { clearing: ['BANK'], bank: ['BANK'], fees: ['EXPENSE', 'OVERHEADS', 'DIRECTCOSTS'] },
  quickbooks: { clearing: ['Other Current Asset', 'Bank'], bank: ['Bank'], fees: ['Expense', 'Other Expense', 'Cost of Goods Sold'] },
};

/** Names a role's default is preferred by, best first (then the chart's order). */
const PREFERRED: Record<PayoutAccountRole, RegExp[]> = {
  clearing: [/undeposited funds/i, /stripe|clearing/i],
  bank: [],
  fees: [/stripe/i, /merchant fees/i, /bank fees|bank charges/i],
};

export interface PayoutAccountProblem {
  role: PayoutAccountRole;
  id: string;
  problem: 'not-found' | 'wrong-type' | 'same-as-clearing';
  message: string;
}

const fits = (books: Books, role: PayoutAccountRole, a: ChartAccount) => ALLOWED_TYPES[books][role].includes(a.type);

/** What is wrong with a choice of accounts (only the roles given are checked); empty when it is fine. */
export function checkPayoutAccounts(books: Books, chart: readonly ChartAccount[], chosen: Partial<Record<PayoutAccountRole, string>>): PayoutAccountProblem[] {
  const problems: PayoutAccountProblem[] = [];
  for (const role of PAYOUT_ACCOUNT_ROLES) {
    const id = chosen[role];
    if (id === undefined) continue;
    const account = chart.find((a) => a.id === id);
    if (!account) problems.push({ role, id, problem: 'not-found', message: `the ${role} account ${id} is not in the organisation's chart of accounts` });
    else if (!fits(books, role, account)) {
      problems.push({ role, id, problem: 'wrong-type',
        message: `the ${role} account ${id} (${account.name}) is of type ${account.type}; it must be ${ALLOWED_TYPES[books][role].join(' or ')}` });
    }
  }
  if (chosen.clearing !== undefined && chosen.clearing === chosen.bank) {
    problems.push({ role: 'bank', id: chosen.bank, problem: 'same-as-clearing', message: 'the bank account must differ from the clearing account (the payout moves money from one to the other)' });
  }
  return problems;
}

/**
 * The accounts a merchant gets for the roles it left unset (`settings` holds those it chose): for each, the first
 * account of a fitting type, preferring the conventional names (Undeposited Funds, Merchant Fees…), the bank never
 * the clearing account. A role nothing fits stays undefined.
 */
export function defaultPayoutAccounts(books: Books, chart: readonly ChartAccount[], settings: Partial<Record<PayoutAccountRole, string | null>> = {}):
  Partial<Record<PayoutAccountRole, string>> {
  const out: Partial<Record<PayoutAccountRole, string>> = {};
  for (const role of PAYOUT_ACCOUNT_ROLES) {
    const chosen = settings[role];
    if (chosen) {
      out[role] = chosen;
      continue;
    }
    const candidates = chart.filter((a) => fits(books, role, a) && (role !== 'bank' || a.id !== out.clearing) && (role !== 'clearing' || a.id !== settings.bank));
    const preferred = PREFERRED[role].map((re) => candidates.find((a) => re.test(a.name))).find(Boolean);
    const pick = preferred ?? candidates[0];
    if (pick) out[role] = pick.id;
  }
  return out;
}
