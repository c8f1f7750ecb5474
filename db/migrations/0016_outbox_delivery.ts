// The outbox becomes a real mail queue: each row is sent through SMTP by the mail relay (workflows/mail), which
// records the outcome here. `status`: pending (to send, not before `next_attempt_at`), sent, failed (refused for good:
// `last_error` says why, the merchant got a Message), or skipped. `transport_response`: the SMTP server's final reply to
// the message ("250 … queued as …", the transport's id for it). Neither it nor `last_error` holds an address: the relay
// blanks addresses out of server replies before storing them.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('outbox_emails')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_error', 'text')
    .addColumn('transport_response', 'text')
    .addColumn('failed_at', 'timestamptz')
    .execute();
  // Rows written before there was a transport and older than a welcome link's 7 days would reach people late and
  // with dead links: they are skipped, not sent. Younger ones go out.
  await sql`update outbox_emails set status = 'skipped', last_error = 'written before mail delivery existed and over 7 days old'
    where sent_at is null and created_at < now() - interval '7 days'`.execute(db);
  await sql`update outbox_emails set status = 'sent' where sent_at is not null`.execute(db);
  await db.schema.createIndex('outbox_emails_due').on('outbox_emails').column('next_attempt_at').where(sql.ref('status'), '=', 'pending').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('outbox_emails_due').execute();
  for (const column of ['failed_at', 'transport_response', 'last_error', 'next_attempt_at', 'attempts', 'status']) {
    await db.schema.alterTable('outbox_emails').dropColumn(column).execute();
  }
}
