// The outbox: emails Settle sends, written in the same step as the work that causes them, for the mail relay to
// pick up. `dedupeKey` makes a retried activity (or a repeated request) put a message in once. Addresses and
// links are sealed: they are personal data or secrets.
import { open, seal, type Keyring } from '../lib/crypto/sealed-box';
import { derivedId } from '../lib/ids';
import type { Db } from './database';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
}

export async function enqueueEmail(db: Db, keyring: Keyring, email: { merchantId: string; template: string; dedupeKey: string; message: EmailMessage }): Promise<void> {
  const id = derivedId('eml', email.dedupeKey);
  await db.insertInto('outbox_emails')
    .values({ id, merchant_id: email.merchantId, template: email.template, dedupe_key: email.dedupeKey, message_sealed: seal(keyring, JSON.stringify(email.message), id) })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .execute();
}

export async function listOutboxEmails(db: Db, keyring: Keyring, merchantId: string, limit = 50): Promise<Array<EmailMessage & { id: string; template: string; createdAt: Date }>> {
  const rows = await db.selectFrom('outbox_emails').selectAll().where('merchant_id', '=', merchantId).orderBy('created_at', 'desc').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, template: r.template, createdAt: r.created_at, ...(JSON.parse(open(keyring, r.message_sealed, r.id)) as EmailMessage) }));
}
