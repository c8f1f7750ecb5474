// The accounts a merchant's Stripe money moves through in its books: the clearing account card payments are received
// into (and refunds paid from), the bank account a payout lands in, and the expense account of Stripe's fees. Each is
// a per-merchant setting (merchant_stripe_accounts.clearing_account, bank_account, fees_account); unset, the defaults
// of the platform's standard chart: Xero's demo bank accounts and Bank Fees; QuickBooks' Undeposited Funds (its idiom
// for money not yet deposited), Checking and Merchant Fees.
import type { Db } from '../../db/database';
import { findStripeAccount } from '../../db/stripe-accounts';
import { DEFAULT_ACCOUNTS } from './default-accounts';
import type { PlatformName } from './platform';

export interface PayoutAccounts {
  clearing: string;
  bank: string;
  fees: string;
}

export const DEFAULT_PAYOUT_ACCOUNTS: Record<PlatformName, PayoutAccounts> = {
  xero: { clearing: DEFAULT_ACCOUNTS.xero.bank, bank: '091', fees: '404' },
  quickbooks: { clearing: '4', bank: DEFAULT_ACCOUNTS.quickbooks.bank, fees: '57' },
};

export async function payoutAccountsOf(db: Db, merchantId: string, platform: PlatformName): Promise<PayoutAccounts> {
  const row = await findStripeAccount(db, merchantId);
  const defaults = DEFAULT_PAYOUT_ACCOUNTS[platform];
  return { clearing: row?.clearing_account ?? defaults.clearing, bank: row?.bank_account ?? defaults.bank, fees: row?.fees_account ?? defaults.fees };
}
