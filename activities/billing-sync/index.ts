// Billing sync activities (a BSS's month into ConnectWise Manage), built from their clients (see deps.ts). They run on
// the company queue: Manage is the company's system of record.
import { createFetchActivities } from './fetch';
import { createInvoiceActivities } from './invoices';
import { createLinkActivities } from './links';
import { createProposalActivities } from './proposal';
import type { BillingSyncActivityDeps } from './deps';
import { postMerchantMessage } from '../../db/messages';

export function createBillingSyncActivities(deps: BillingSyncActivityDeps) {
  return {
    ...createFetchActivities(deps),
    ...createLinkActivities(deps),
    ...createProposalActivities(deps),
    ...createInvoiceActivities(deps),
    /** Persist, then publish: the workflow saves a status here before its query and search attributes show it. */
    async saveBillingRunStatus(input: { runId: string; status: string }): Promise<void> {
      await deps.db.updateTable('billing_sync_runs').set({ status: input.status, updated_at: new Date() }).where('id', '=', input.runId).execute();
    },
    /** A Message for the merchant about the month's run (a source it cannot read). */
    async postBillingRunMessage(input: { merchantId: string; month: string; text: string }): Promise<void> {
      await postMerchantMessage(deps.db, { merchantId: input.merchantId, kind: 'billing-sync-source-unreachable', text: input.text });
    },
  };
}
