// Where a quote payment lands in the books, per platform: the revenue line of the quote payment invoice and
// credit note, and the bank (Stripe clearing) account the payment is received into. These are the platforms'
// default charts (Xero's demo codes; QuickBooks' Services item and Checking account); a per-merchant
// mapping replaces them when invoice sync (issue 11) brings account mapping.
import type { PlatformName } from '../accounting/platform';

export interface QuoteAccounts {
  /** Xero: an account code; QuickBooks: an Item id. */
  line: string;
  /** Xero: a bank account code; QuickBooks: an Account id. */
  bank: string;
  taxType?: string;
}

export const QUOTE_ACCOUNTS: Record<PlatformName, QuoteAccounts> = {
  xero: { line: '200', bank: '090', taxType: 'NONE' },
  quickbooks: { line: '1', bank: '35' },
};

/** Both the quote payment invoice and its credit note carry this reference (what merchants search for). */
export const QUOTE_REFERENCE = 'PF';
