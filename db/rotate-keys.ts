// Re-encryption after a key rotation: every sealed column is rewritten under the current key of the keyring
// (the first of SETTLE_ENCRYPTION_KEYS), so the keys after it can be retired. Payers' blind email index is
// recomputed under the current key too. Idempotent (a value already under the current key is not touched),
// batch-wise (keyset pages, each row updated only if it did not change meanwhile), and it reports counts.
//
// Every sealed column is listed here with the associated data it was sealed with (its place: see seal() uses in
// db/, activities/ and api/). A new sealed column belongs here: test/integration/data-protection/rotate-keys.test.ts
// fails while a `*_sealed` column of the schema is missing.
import { sql } from 'kysely';
import { blindIndex } from '../lib/crypto/blind-index';
import { open, seal, sealedKeyId, type Keyring } from '../lib/crypto/sealed-box';
import { pendingPlace, secretPlace } from './console-two-factor';
import type { Db } from './database';

type Row = Record<string, string>;

export interface SealedColumn {
  table: string;
  column: string;
  /** The primary key's columns (pages are read in their order). */
  key: string[];
  /** The associated data the value is bound to. */
  boundTo(row: Row): string;
  /** Other columns derived from the plaintext under the current key (the payers' blind index). */
  derived?(keyring: Keyring, plaintext: string): Record<string, string>;
}

export const SEALED_COLUMNS: SealedColumn[] = [
  { table: 'accounting_connections', column: 'token_sealed', key: ['id'], boundTo: (r) => r.id },
  { table: 'oauth_pending_consents', column: 'tokens_sealed', key: ['id'], boundTo: (r) => r.id },
  { table: 'cpq_integrations', column: 'api_key_sealed', key: ['merchant_id'], boundTo: (r) => `cpq:${r.merchant_id}` },
  { table: 'notification_subscriptions', column: 'email_sealed', key: ['id'], boundTo: (r) => r.id },
  { table: 'notification_subscriptions', column: 'secret_sealed', key: ['id'], boundTo: (r) => r.id },
  {
    table: 'payers', column: 'details_sealed', key: ['id'], boundTo: (r) => r.id,
    derived: (keyring, plaintext) => ({ email_index: blindIndex(keyring, (JSON.parse(plaintext) as { email: string }).email) }),
  },
  {
    // Console users: email and name, with the same blind index as payers' (sign-in looks the email up by it).
    table: 'merchant_users', column: 'details_sealed', key: ['id'], boundTo: (r) => r.id,
    derived: (keyring, plaintext) => ({ email_index: blindIndex(keyring, (JSON.parse(plaintext) as { email: string }).email) }),
  },
  { table: 'merchant_users', column: 'totp_secret_sealed', key: ['id'], boundTo: (r) => secretPlace(r.id) },
  { table: 'merchant_users', column: 'totp_pending_sealed', key: ['id'], boundTo: (r) => pendingPlace(r.id) },
  { table: 'quote_payments', column: 'checkout_token_sealed', key: ['id'], boundTo: (r) => r.id },
  { table: 'quote_payments', column: 'customer_sealed', key: ['id'], boundTo: (r) => `${r.id}:customer` },
  { table: 'outbox_emails', column: 'message_sealed', key: ['id'], boundTo: (r) => r.id },
  { table: 'stripe_webhook_endpoints', column: 'secret_sealed', key: ['merchant_id'], boundTo: (r) => `stripe-webhook:${r.merchant_id}` },
  { table: 'merchants', column: 'notification_email_sealed', key: ['id'], boundTo: (r) => `${r.id}:notification-email` },
  { table: 'customers', column: 'email_sealed', key: ['id'], boundTo: (r) => r.id },
  { table: 'billing_sync_connections', column: 'secret_sealed', key: ['merchant_id', 'system'], boundTo: (r) => `billing-sync:${r.system}:${r.merchant_id}` },
];

export interface RotationCount {
  table: string;
  column: string;
  /** Values found under an older key. */
  stale: number;
  reencrypted: number;
  /** Changed by someone else between read and write (they wrote it under the current key). */
  skipped: number;
}

const ids = (names: string[]) => sql.join(names.map((n) => sql.id(n)));
const values = (row: Row, names: string[]) => sql.join(names.map((n) => sql`${row[n]}`));

export async function rotateSealedColumns(db: Db, keyring: Keyring, opts: { batchSize?: number; columns?: SealedColumn[] } = {}): Promise<RotationCount[]> {
  const batchSize = opts.batchSize ?? 500;
  const current = `v1.${keyring.currentKeyId}.%`;
  const counts: RotationCount[] = [];
  for (const target of opts.columns ?? SEALED_COLUMNS) {
    const count: RotationCount = { table: target.table, column: target.column, stale: 0, reencrypted: 0, skipped: 0 };
    let after: Row | undefined;
    for (;;) {
      const page = await sql<Row>`
        select ${ids(target.key)}, ${sql.id(target.column)} as sealed from ${sql.id(target.table)}
        where ${sql.id(target.column)} is not null and ${sql.id(target.column)} not like ${current}
          ${after ? sql`and (${ids(target.key)}) > (${values(after, target.key)})` : sql``}
        order by ${ids(target.key)} limit ${batchSize}`.execute(db);
      if (page.rows.length === 0) break;
      for (const row of page.rows) {
        count.stale += 1;
        const plaintext = open(keyring, row.sealed, target.boundTo(row));
        const updates = { [target.column]: seal(keyring, plaintext, target.boundTo(row)), ...target.derived?.(keyring, plaintext) };
        const assignments = sql.join(Object.entries(updates).map(([column, value]) => sql`${sql.id(column)} = ${value}`));
        const where = sql.join(target.key.map((k) => sql`${sql.id(k)} = ${row[k]}`), sql` and `);
        const result = await sql`update ${sql.id(target.table)} set ${assignments}
          where ${where} and ${sql.id(target.column)} = ${row.sealed}`.execute(db);
        if (Number(result.numAffectedRows ?? 0n) === 1) count.reencrypted += 1;
        else count.skipped += 1;
      }
      after = page.rows[page.rows.length - 1];
    }
    counts.push(count);
  }
  return counts;
}

/** Key ids of every sealed value, per column (for reports and tests): `{ 'payers.details_sealed': { k1: 3 } }`. */
export async function sealedKeyIds(db: Db): Promise<Record<string, Record<string, number>>> {
  const result: Record<string, Record<string, number>> = {};
  for (const target of SEALED_COLUMNS) {
    const rows = await sql<{ sealed: string }>`select ${sql.id(target.column)} as sealed from ${sql.id(target.table)}
      where ${sql.id(target.column)} is not null`.execute(db);
    const byKey: Record<string, number> = {};
    for (const { sealed } of rows.rows) byKey[sealedKeyId(sealed)] = (byKey[sealedKeyId(sealed)] ?? 0) + 1;
    result[`${target.table}.${target.column}`] = byKey;
  }
  return result;
}
