// When a batch's customers were last matched to contacts: a run posts its chunks while the contacts are matched (their
// lookups by invoice number need no contact), and each chunk waits for this before it creates anything. A batch opened
// again clears it, so a re-run's chunks wait for that run's matching.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('invoice_sync_batches').addColumn('contacts_matched_at', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('invoice_sync_batches').dropColumn('contacts_matched_at').execute();
}
