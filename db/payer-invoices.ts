// What a payer owes and has paid, from Settle's copy of the accounting data: read by the merchant's API and by the
// payer's own Pay Now page for invoices.
import type { Db } from './database';

export async function payerContactIds(db: Db, merchantId: string, payerId: string): Promise<string[]> {
  const rows = await db.selectFrom('payer_contacts').select('contact_id').where('merchant_id', '=', merchantId).where('payer_id', '=', payerId).execute();
  return rows.map((r) => r.contact_id);
}

/** The payer's contacts' invoices still owed (authorised, amount due), oldest due first. */
export async function outstandingInvoices(db: Db, merchantId: string, payerId: string) {
  const contacts = await payerContactIds(db, merchantId, payerId);
  if (!contacts.length) return [];
  return db.selectFrom('accounting_invoices').selectAll().where('merchant_id', '=', merchantId).where('contact_id', 'in', contacts)
    .where('amount_due_minor', '>', 0).where('status', '=', 'authorised').orderBy('due_date').orderBy('date').execute();
}

/** The payer's payments (Pay Now, automatic), newest first. */
export async function payerPayments(db: Db, merchantId: string, payerId: string, limit = 100) {
  return db.selectFrom('payments').selectAll().where('merchant_id', '=', merchantId).where('payer_id', '=', payerId).orderBy('created_at', 'desc').limit(limit).execute();
}
