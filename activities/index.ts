// All activities, built from the clients they need so that tests can hand in emulator-backed ones.
// Workflows see only the type: `import type * as activities from '../activities'`.
import type { Db } from '../db/database';
import { createAccountingActivities, type PlatformFactory } from './accounting';
import type { AccountingServices } from './accounting/services';
import { createRecordPayment } from './payments/record-payment';

export interface ActivityDeps {
  db: Db;
  accounting: AccountingServices;
  /** Builds the Xero or QuickBooks adapter for a connection (accounting/platforms.ts). */
  platformFor: PlatformFactory;
}

export function createActivities(deps: ActivityDeps) {
  return {
    recordPayment: createRecordPayment(deps.db),
    ...createAccountingActivities(deps.accounting, deps.platformFor),
  };
}

export type Activities = ReturnType<typeof createActivities>;
