// A batch of Manage's accounting interface, opened once per identifier (a retry finds the batch its first attempt made,
// by identifier) and its invoices recorded in Postgres; re-running the batch puts its failed and held invoices back to
// pending, never its posted ones. Exported to Manage only once every invoice in it is in the books.
import { sql } from 'kysely';
import { batchCounts, invoiceSyncBatchId } from '../../db/invoice-sync';
import { idempotencyKey } from '../../lib/idempotency';
import { inGroups } from '../../lib/invoice-sync/chunks';
import { batchExportable } from '../../lib/invoice-sync/holds';
import { decimalToMinor } from '../../lib/invoice-sync/mapping';
import type { ManageAccountingInvoice } from '../connectwise/manage';
import { manageOf, type InvoiceSyncActivityDeps } from './deps';

/** Invoice records one insert writes (15 columns each, well inside Postgres' bind parameter limit). */
const RECORDS_PER_INSERT = 1_000;

export const manageKey = (merchantId: string, operation: string) => idempotencyKey(`invoice-sync/${merchantId}`, operation);
export const revisionOf = (i: ManageAccountingInvoice) => i._info?.lastUpdated ?? '0';

export function createBatchActivities(deps: InvoiceSyncActivityDeps) {
  const { db } = deps;
  return {
    async openInvoiceBatch(input: { merchantId: string; batchIdentifier: string; workflowId: string }): Promise<{ batchId: string; invoices: number }> {
      const { merchantId, batchIdentifier } = input;
      const batchId = invoiceSyncBatchId(merchantId, batchIdentifier);
      await db.insertInto('invoice_sync_batches').values({ id: batchId, merchant_id: merchantId, batch_identifier: batchIdentifier, workflow_id: input.workflowId, status: 'open' })
        .onConflict((oc) => oc.column('id').doNothing()).execute();
      const row = await db.selectFrom('invoice_sync_batches').selectAll().where('id', '=', batchId).executeTakeFirstOrThrow();
      const manage = await manageOf(deps, merchantId);
      let manageBatchId = row.manage_batch_id;
      if (manageBatchId === null) {
        const existing = await manage.accounting.batchByIdentifier(batchIdentifier);
        if (!existing && (await manage.accounting.unposted()).length === 0) {
          await db.updateTable('invoice_sync_batches').set({ status: 'exported', updated_at: new Date() }).where('id', '=', batchId).execute();
          return { batchId, invoices: 0 };
        }
        manageBatchId = (existing ?? (await manage.accounting.createBatch(batchIdentifier, manageKey(merchantId, `batch-${batchIdentifier}`)))).id;
        await db.updateTable('invoice_sync_batches').set({ manage_batch_id: manageBatchId, updated_at: new Date() }).where('id', '=', batchId).execute();
      }
      const invoices = await manage.accounting.batchInvoices(manageBatchId);
      // In groups: one statement for a whole batch of thousands would pass Postgres' 65,535 bind parameters.
      for (const group of inGroups(invoices, RECORDS_PER_INSERT)) {
        await db.insertInto('invoice_sync_records').values(group.map((i) => ({
          merchant_id: merchantId, manage_invoice_id: i.id, batch_id: batchId, revision: revisionOf(i), invoice_number: i.invoiceNumber,
          manage_company_id: i.company.id, kind: i.total < 0 ? 'credit-note' as const : 'invoice' as const, total_minor: Math.abs(decimalToMinor(i.total)),
          currency: i.currency?.currencyCode ?? 'AUD', status: 'pending' as const, error: null, accounting_id: null, accounting_link: null, posted_how: null,
        }))).onConflict((oc) => oc.columns(['merchant_id', 'manage_invoice_id']).doUpdateSet({
          batch_id: batchId, revision: sql`excluded.revision`, invoice_number: sql`excluded.invoice_number`, total_minor: sql`excluded.total_minor`,
          // Re-running a batch tries its failed and held invoices again; what is posted stays posted.
          status: sql`case when invoice_sync_records.status = 'posted' then 'posted' else 'pending' end`,
          error: sql`case when invoice_sync_records.status = 'posted' then invoice_sync_records.error else null end`, updated_at: new Date(),
        })).execute();
      }
      // Open again: this run matches its contacts afresh, and its chunks wait for that (contacts_matched_at).
      await db.updateTable('invoice_sync_batches').set({ status: sql`case when status = 'exported' then status else 'open' end`, contacts_matched_at: null, updated_at: new Date() })
        .where('id', '=', batchId).execute();
      return { batchId, invoices: invoices.length };
    },

    async finishInvoiceBatch(input: { merchantId: string; batchId: string }) {
      const counts = await batchCounts(db, input.batchId);
      const statuses = Object.entries(counts).flatMap(([status, n]) => Array<typeof status>(n).fill(status)) as Array<keyof typeof counts>;
      const batch = await db.selectFrom('invoice_sync_batches').selectAll().where('id', '=', input.batchId).executeTakeFirstOrThrow();
      const exportable = batchExportable(statuses);
      if (exportable && batch.manage_batch_id !== null && batch.status !== 'exported') {
        await (await manageOf(deps, input.merchantId)).accounting.markExported(batch.manage_batch_id, manageKey(input.merchantId, `export-${batch.batch_identifier}`));
      }
      const status = exportable || batch.status === 'exported' ? 'exported' as const : 'incomplete' as const;
      await db.updateTable('invoice_sync_batches').set({ status, updated_at: new Date() }).where('id', '=', input.batchId).execute();
      return { status, ...counts };
    },
  };
}
