// The outbox: emails Settle sends, written in the same step as the work that causes them, for the mail relay
// (workflows/mail, activities/mail) to send. `dedupeKey` makes a retried activity (or a repeated request) put a
// message in once. Addresses and links are sealed: they are personal data or secrets.
import { sql } from 'kysely';
import { open, seal, type Keyring } from '../lib/crypto/sealed-box';
import { derivedId } from '../lib/ids';
import type { Db } from './database';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  /** The HTML part (rows written before templates had one have none: they go out as text only). */
  html?: string;
}

export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'skipped';

/** True when this call wrote the row (false: the key was written before, by an earlier attempt). */
export async function enqueueEmail(db: Db, keyring: Keyring, email: { merchantId: string; template: string; dedupeKey: string; message: EmailMessage }): Promise<boolean> {
  const id = derivedId('eml', email.dedupeKey);
  const result = await db.insertInto('outbox_emails')
    .values({ id, merchant_id: email.merchantId, template: email.template, dedupe_key: email.dedupeKey, message_sealed: seal(keyring, JSON.stringify(email.message), id) })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

export async function listOutboxEmails(db: Db, keyring: Keyring, merchantId: string, limit = 50): Promise<Array<EmailMessage & { id: string; template: string; status: OutboxStatus; createdAt: Date }>> {
  const rows = await db.selectFrom('outbox_emails').selectAll().where('merchant_id', '=', merchantId).orderBy('created_at', 'desc').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, template: r.template, status: r.status, createdAt: r.created_at, ...(JSON.parse(open(keyring, r.message_sealed, r.id)) as EmailMessage) }));
}

export interface DueEmail {
  id: string;
  merchantId: string;
  template: string;
  attempts: number;
  message: EmailMessage;
}

export type SendOutcome =
  | { kind: 'sent'; transportResponse: string }
  | { kind: 'retry'; error: string; delayMs: number }
  | { kind: 'failed'; error: string };

/**
 * Takes the oldest due row, hands it to `send` while holding its row lock (another relay skips it: two relays never
 * send one row at once), and records what `send` says in the same transaction. `onFailed` runs in that
 * transaction too (the merchant's Message is written with the row's failure or not at all). Null when nothing is due.
 */
export async function sendNextDueEmail(db: Db, keyring: Keyring, send: (email: DueEmail) => Promise<SendOutcome>,
  onFailed: (trx: Db, email: DueEmail, error: string) => Promise<void>): Promise<{ id: string; outcome: SendOutcome } | null> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('outbox_emails').selectAll().where('status', '=', 'pending').where('next_attempt_at', '<=', sql<Date>`now()`)
      .orderBy('next_attempt_at').limit(1).forUpdate().skipLocked().executeTakeFirst();
    if (!row) return null;
    const email: DueEmail = { id: row.id, merchantId: row.merchant_id, template: row.template, attempts: row.attempts, message: JSON.parse(open(keyring, row.message_sealed, row.id)) as EmailMessage };
    const outcome = await send(email);
    const update = trx.updateTable('outbox_emails').where('id', '=', row.id);
    if (outcome.kind === 'sent') {
      await update.set({ status: 'sent', sent_at: new Date(), transport_response: outcome.transportResponse, attempts: row.attempts + 1 }).execute();
    } else if (outcome.kind === 'retry') {
      await update.set({ attempts: row.attempts + 1, last_error: outcome.error, next_attempt_at: sql<Date>`now() + ${`${outcome.delayMs} milliseconds`}::interval` }).execute();
    } else {
      await update.set({ status: 'failed', failed_at: new Date(), last_error: outcome.error, attempts: row.attempts + 1 }).execute();
      await onFailed(trx, email, outcome.error);
    }
    return { id: row.id, outcome };
  });
}

/** Milliseconds until the next pending row is due (0 if one is due now), or null when none is pending. */
export async function nextDueInMs(db: Db): Promise<number | null> {
  // Not greatest(0, …) in SQL: Postgres's greatest ignores a NULL, so an empty outbox would read "due now" and the
  // relay would never sleep.
  const row = await db.selectFrom('outbox_emails').select(sql<string | null>`extract(epoch from (min(next_attempt_at) - now())) * 1000`.as('ms'))
    .where('status', '=', 'pending').executeTakeFirst();
  return row?.ms == null ? null : Math.max(0, Math.ceil(Number(row.ms)));
}
