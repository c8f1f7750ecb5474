// All activities, built from the clients they need so that tests can hand in emulator-backed ones.
// Workflows see only the type: `import type * as activities from '../activities'`.
import type Stripe from 'stripe';
import type { Db } from '../db/database';
import type { Keyring } from '../lib/crypto/sealed-box';
import { accountingRunner, createAccountingActivities, type PlatformFactory } from './accounting';
import type { AccountingServices } from './accounting/services';
import { createRecordPayment } from './payments/record-payment';
import { createQuoteActivities } from './quotes';

export interface ActivityDeps {
  db: Db;
  accounting: AccountingServices;
  /** Builds the Xero or QuickBooks adapter for a connection (accounting/platforms.ts). */
  platformFor: PlatformFactory;
  /** Opens sealed customer and payer details. */
  keyring: Keyring;
  /** Stripe, or the local emulator (activities/stripe/client.ts). */
  stripe: Stripe;
}

export function createActivities(deps: ActivityDeps) {
  return {
    recordPayment: createRecordPayment(deps.db),
    ...createAccountingActivities(deps.accounting, deps.platformFor),
    ...createQuoteActivities({ db: deps.db, keyring: deps.keyring, stripe: deps.stripe, accounting: accountingRunner(deps.accounting, deps.platformFor) }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
