// Where Settle's postings land in the books, per platform: the revenue line of the invoices and credit notes it
// makes, and the bank account payments are received into (Stripe's clearing, the BPAY account). These are the
// platforms' default charts (Xero's demo codes; QuickBooks' Services item and Checking account); a per-merchant
// mapping replaces them when invoice sync (issue 11) brings account mapping.
import type { PlatformName } from './platform';

export interface DefaultAccounts {
  /** Xero: an account code; QuickBooks: an Item id. */
  line: string;
  /** Xero: a bank account code; QuickBooks: an Account id. */
  bank: string;
  taxType?: string;
}

export const DEFAULT_ACCOUNTS: Record<PlatformName, DefaultAccounts> = {
  xero: { line: '200', bank: '090', taxType: 'NONE' },
  quickbooks: { line: '1', bank: '35' },
};
