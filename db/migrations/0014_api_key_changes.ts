// Each API process remembers which merchant an API key belongs to (api/middleware/api-key-cache.ts), so a request
// needs no Postgres round trip to authenticate. Revocation must still take effect at once in every process: any
// change to merchant_api_keys (a revocation, a deleted merchant's keys, a truncate) notifies the channel
// `settle_api_keys` when it commits, and every API process listening forgets what it remembered.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function settle_notify_api_keys() returns trigger language plpgsql as $$
    begin
      perform pg_notify('settle_api_keys', '');
      return null;
    end $$
  `.execute(db);
  await sql`
    create trigger merchant_api_keys_changed after update or delete on merchant_api_keys
    for each statement execute function settle_notify_api_keys()
  `.execute(db);
  await sql`
    create trigger merchant_api_keys_truncated after truncate on merchant_api_keys
    for each statement execute function settle_notify_api_keys()
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger merchant_api_keys_truncated on merchant_api_keys`.execute(db);
  await sql`drop trigger merchant_api_keys_changed on merchant_api_keys`.execute(db);
  await sql`drop function settle_notify_api_keys()`.execute(db);
}
