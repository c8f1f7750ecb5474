// The merchant's activity log: what Settle did or saw on the merchant's behalf that the merchant may want to read
// later (a bank debit returned, ...). Entries carry ids and amounts, never a payer's personal data.
import { derivedId } from '../lib/ids';
import type { Db } from './database';

export interface ActivityEntry {
  merchantId: string;
  kind: string;
  subject: string;
  detail: string;
}

/** Idempotent per (kind, subject, dedupe): a retried activity writes its entry once. */
export async function recordActivity(db: Db, entry: ActivityEntry, dedupe = ''): Promise<void> {
  await db.insertInto('activity_log')
    .values({ id: derivedId('log', entry.merchantId, entry.kind, entry.subject, dedupe), merchant_id: entry.merchantId, kind: entry.kind, subject: entry.subject, detail: entry.detail })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function listActivity(db: Db, merchantId: string, limit = 100) {
  return db.selectFrom('activity_log').selectAll().where('merchant_id', '=', merchantId).orderBy('created_at', 'desc').limit(limit).execute();
}
