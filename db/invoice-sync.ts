import { sql } from 'kysely';
// Invoice sync records shared by the API and the activities: the merchant's settings and account mapping, the contacts
// Manage companies are matched to, batches and their invoices, payments carried back, and the debug log (stored only
// while the merchant has debug logging on; cleared for good on request).
import { derivedId } from '../lib/ids';
import type { AccountMapping } from '../lib/invoice-sync/mapping';
import type { Db } from './database';

export const invoiceSyncWorkflowId = (merchantId: string, batchIdentifier: string) => `invoice-sync/${merchantId}/${batchIdentifier}`;
export const paymentSyncWorkflowId = (merchantId: string) => `payment-sync/${merchantId}`;
export const invoiceSyncBatchId = (merchantId: string, batchIdentifier: string) => derivedId('isb', merchantId, batchIdentifier);

export interface InvoiceSyncSettings {
  createContacts: boolean;
  debugLogging: boolean;
  syncInventory: boolean;
  invoiceSyncEveryMinutes: number | null;
  paymentSyncEveryMinutes: number | null;
}

const DEFAULT_SETTINGS: InvoiceSyncSettings = { createContacts: false, debugLogging: false, syncInventory: false, invoiceSyncEveryMinutes: null, paymentSyncEveryMinutes: null };

export async function invoiceSyncSettings(db: Db, merchantId: string): Promise<InvoiceSyncSettings> {
  const row = await db.selectFrom('invoice_sync_settings').selectAll().where('merchant_id', '=', merchantId).executeTakeFirst();
  if (!row) return { ...DEFAULT_SETTINGS };
  return { createContacts: row.create_contacts, debugLogging: row.debug_logging, syncInventory: row.sync_inventory,
    invoiceSyncEveryMinutes: row.invoice_sync_every_minutes, paymentSyncEveryMinutes: row.payment_sync_every_minutes };
}

export async function saveInvoiceSyncSettings(db: Db, merchantId: string, change: Partial<InvoiceSyncSettings>): Promise<InvoiceSyncSettings> {
  const next = { ...(await invoiceSyncSettings(db, merchantId)), ...change };
  const values = { create_contacts: next.createContacts, debug_logging: next.debugLogging, sync_inventory: next.syncInventory,
    invoice_sync_every_minutes: next.invoiceSyncEveryMinutes, payment_sync_every_minutes: next.paymentSyncEveryMinutes, updated_at: new Date() };
  await db.insertInto('invoice_sync_settings').values({ merchant_id: merchantId, ...values })
    .onConflict((oc) => oc.column('merchant_id').doUpdateSet(values)).execute();
  return next;
}

export async function accountMappings(db: Db, merchantId: string): Promise<AccountMapping[]> {
  const rows = await db.selectFrom('invoice_sync_account_mappings').selectAll().where('merchant_id', '=', merchantId)
    .orderBy('source_kind').orderBy('source_value').execute();
  return rows.map((r) => ({ kind: r.source_kind, value: r.source_value, accountCode: r.account_code, taxType: r.tax_type }));
}

/** Replaces the merchant's whole mapping (what the merchant sees is what is used). */
export async function replaceAccountMappings(db: Db, merchantId: string, mappings: AccountMapping[]): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('invoice_sync_account_mappings').where('merchant_id', '=', merchantId).execute();
    if (mappings.length) {
      await tx.insertInto('invoice_sync_account_mappings').values(mappings.map((m) => ({ merchant_id: merchantId, source_kind: m.kind, source_value: m.value,
        account_code: m.accountCode, tax_type: m.taxType ?? null }))).execute();
    }
  });
}

export async function contactsOf(db: Db, merchantId: string, companyIds: number[]): Promise<Map<number, string>> {
  if (!companyIds.length) return new Map();
  const rows = await db.selectFrom('invoice_sync_contacts').select(['manage_company_id', 'contact_id']).where('merchant_id', '=', merchantId)
    .where('manage_company_id', 'in', companyIds).execute();
  return new Map(rows.map((r) => [r.manage_company_id, r.contact_id]));
}

/** Remembers the contact of each company (one statement for all of them). */
export async function rememberContacts(db: Db, merchantId: string, contacts: Array<{ companyId: number; contactId: string; source: 'matched' | 'created' }>): Promise<void> {
  if (!contacts.length) return;
  await db.insertInto('invoice_sync_contacts').values(contacts.map((c) => ({ merchant_id: merchantId, manage_company_id: c.companyId, contact_id: c.contactId, source: c.source })))
    .onConflict((oc) => oc.columns(['merchant_id', 'manage_company_id']).doUpdateSet({ contact_id: sql`excluded.contact_id`, source: sql`excluded.source`, updated_at: new Date() })).execute();
}

/** Counts of a batch's invoices by status. */
export async function batchCounts(db: Db, batchId: string): Promise<Record<'pending' | 'posted' | 'failed' | 'held', number>> {
  const rows = await db.selectFrom('invoice_sync_records').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).where('batch_id', '=', batchId)
    .groupBy('status').execute();
  const counts = { pending: 0, posted: 0, failed: 0, held: 0 };
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}

/** Appends to the merchant's debug log: only when debug logging is on (the caller checked). */
export async function writeDebugLog(db: Db, entries: Array<{ merchantId: string; batchId: string | null; kind: string; detail: Record<string, unknown> }>): Promise<void> {
  if (!entries.length) return;
  await db.insertInto('debug_log_entries').values(entries.map((e) => ({ merchant_id: e.merchantId, batch_id: e.batchId, kind: e.kind, detail: JSON.stringify(e.detail) }))).execute();
}

/** "Clear logs": the debug log and inventory audit trail of the merchant, deleted for good. */
export async function clearDebugLogs(db: Db, merchantId: string): Promise<{ deleted: number }> {
  return db.transaction().execute(async (tx) => {
    const logs = await tx.deleteFrom('debug_log_entries').where('merchant_id', '=', merchantId).executeTakeFirst();
    const audit = await tx.deleteFrom('inventory_audit_entries').where('merchant_id', '=', merchantId).executeTakeFirst();
    return { deleted: Number(logs.numDeletedRows) + Number(audit.numDeletedRows) };
  });
}
