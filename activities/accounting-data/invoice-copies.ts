// Settle's copy of accounting invoices: written whenever Settle reads invoices from the accounting package (a
// refresh, the auto-payment scheduler, a charge's re-check), read by payers' listings and Pay Now.
import type { Db } from '../../db/database';
import type { Invoice } from '../accounting/platform';

const COPIED = ['contact_id', 'number', 'status', 'date', 'due_date', 'currency', 'total_minor', 'amount_due_minor', 'refreshed_at'] as const;

/**
 * One upsert for a page of invoices (not a round trip each). Answers the ids of invoices the copy had as owed that are
 * settled now (paid in full, voided or deleted in the books): their reminders can stop at once.
 */
export async function saveInvoiceCopies(db: Db, merchantId: string, invoices: Invoice[]): Promise<string[]> {
  // Postgres refuses one upsert touching a row twice: the last read of an invoice wins.
  const unique = [...new Map(invoices.map((i) => [i.id, i])).values()];
  if (!unique.length) return [];
  const settledNow = unique.filter((i) => i.amountDueMinor <= 0 || i.status !== 'authorised').map((i) => i.id);
  const wasOwed = settledNow.length ? new Set((await db.selectFrom('accounting_invoices').select('id').where('merchant_id', '=', merchantId)
    .where('id', 'in', settledNow).where('amount_due_minor', '>', 0).execute()).map((r) => r.id)) : new Set<string>();
  const refreshedAt = new Date();
  await db.insertInto('accounting_invoices')
    .values(unique.map((i) => ({ merchant_id: merchantId, id: i.id, contact_id: i.contactId, number: i.number, status: i.status, date: i.date,
      due_date: i.dueDate ?? null, currency: i.currency, total_minor: i.totalMinor, amount_due_minor: i.amountDueMinor, refreshed_at: refreshedAt })))
    .onConflict((oc) => oc.columns(['merchant_id', 'id']).doUpdateSet((eb) => Object.fromEntries(COPIED.map((c) => [c, eb.ref(`excluded.${c}`)]))))
    .execute();
  return settledNow.filter((id) => wasOwed.has(id));
}
