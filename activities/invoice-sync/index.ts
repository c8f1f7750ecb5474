// Invoice sync activities (ConnectWise Manage → the accounting package, and payments back), built from their clients
// (see deps.ts). They run on the company queue: the company connection carries PSA sync, so a batch never delays a
// payer's payment.
import { createBatchActivities } from './batch';
import { createContactActivities } from './contacts';
import type { InvoiceSyncActivityDeps } from './deps';
import { createPaymentSyncActivities } from './payments';
import { createPostActivities } from './post';

export function createInvoiceSyncActivities(deps: InvoiceSyncActivityDeps) {
  return {
    ...createBatchActivities(deps),
    ...createContactActivities(deps),
    ...createPostActivities(deps),
    ...createPaymentSyncActivities(deps),
  };
}
