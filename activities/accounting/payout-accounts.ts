// The accounts a merchant's Stripe money moves through in its books: the clearing account card payments are received
// into (and refunds paid from), the bank account a payout lands in, and the expense account of Stripe's fees. Each is
// a per-merchant setting (merchant_stripe_accounts.clearing_account, bank_account, fees_account; set through
// PUT /v1/integrations/stripe/payout-accounts, checked against the chart); a role left unset gets the connected
// organisation's own conventional account, read from its chart of accounts (lib/payments/payout-account-rules.ts:
// Xero its first two bank accounts and a fees expense; QuickBooks Undeposited Funds, a bank account, Merchant Fees).
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../../db/database';
import { findStripeAccount } from '../../db/stripe-accounts';
import { defaultPayoutAccounts, PAYOUT_ACCOUNT_ROLES, type PayoutAccountRole } from '../../lib/payments/payout-account-rules';
import type { Call } from './index';
import type { ChartAccount, PlatformName } from './platform';

export type PayoutAccounts = Record<PayoutAccountRole, string>;

// The chart changes rarely, and a posting should not cost a second call to the platform: each worker keeps a
// merchant's chart for a few minutes (the merchant's own settings are read fresh every time).
const CHART_TTL_MS = 5 * 60_000;
const charts = new Map<string, { at: number; chart: Promise<ChartAccount[]> }>();

async function chartOf(merchantId: string, platform: PlatformName, call: Call): Promise<ChartAccount[]> {
  const key = `${merchantId}/${platform}`;
  const cached = charts.get(key);
  if (cached && Date.now() - cached.at < CHART_TTL_MS) return cached.chart;
  const chart = call((p) => p.listAccounts());
  charts.set(key, { at: Date.now(), chart });
  chart.catch(() => charts.delete(key)); // a failed read is tried again next time
  return chart;
}

/** The merchant's own choices (null: unset). */
export async function payoutAccountSettings(db: Db, merchantId: string): Promise<Record<PayoutAccountRole, string | null>> {
  const row = await findStripeAccount(db, merchantId);
  return { clearing: row?.clearing_account ?? null, bank: row?.bank_account ?? null, fees: row?.fees_account ?? null };
}

/**
 * The merchant's accounts, unset roles filled from the organisation's chart (read through `call` only when one is
 * unset). A role nothing in the chart fits fails the posting for good: the merchant must choose an account.
 */
export async function payoutAccountsOf(db: Db, merchantId: string, platform: PlatformName, call: Call): Promise<PayoutAccounts> {
  const settings = await payoutAccountSettings(db, merchantId);
  if (settings.clearing && settings.bank && settings.fees) return settings as PayoutAccounts;
  const chart = await chartOf(merchantId, platform, call);
  const accounts = defaultPayoutAccounts(platform, chart, settings);
  const missing = PAYOUT_ACCOUNT_ROLES.filter((r) => !accounts[r]);
  if (missing.length) {
    throw ApplicationFailure.nonRetryable(`the ${platform} organisation has no account that fits as the ${missing.join(', ')} account; choose one with PUT /v1/integrations/stripe/payout-accounts`, 'PayoutAccountMissing');
  }
  return accounts as PayoutAccounts;
}
