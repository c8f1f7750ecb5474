// Settle's copy of accounting invoices: written whenever Settle reads invoices from the accounting package (a
// refresh, the auto-payment scheduler, a charge's re-check), read by payers' listings and Pay Now.
import type { Db } from '../../db/database';
import type { Invoice } from '../accounting/platform';

export async function saveInvoiceCopies(db: Db, merchantId: string, invoices: Invoice[]): Promise<void> {
  for (const i of invoices) {
    const values = { contact_id: i.contactId, number: i.number, status: i.status, date: i.date, due_date: i.dueDate ?? null, currency: i.currency,
      total_minor: i.totalMinor, amount_due_minor: i.amountDueMinor, refreshed_at: new Date() };
    await db.insertInto('accounting_invoices').values({ merchant_id: merchantId, id: i.id, ...values })
      .onConflict((oc) => oc.columns(['merchant_id', 'id']).doUpdateSet(values)).execute();
  }
}
