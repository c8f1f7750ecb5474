// Reads a test database the way a dump would show it (every text-like column of every table, bytea as escaped
// text) and hands the rows to the pure checks of leak-scan.ts. With the database's keyring it also opens the
// sealed columns (db/rotate-keys.ts lists them all): their secrets must then appear nowhere else in clear, and the
// payers' names and emails found there are what the log scan looks for.
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import { SEALED_COLUMNS } from '../../db/rotate-keys';
import { open, type Keyring } from '../../lib/crypto/sealed-box';
import { EMAIL, scanTable, TEST_PASSWORDS, TEST_PAYER_NAMES, type Leak } from './leak-scan';

// Column types that cannot hold text (numbers, times, booleans, ids of the system).
const NOT_TEXT = new Set([
  'smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision', 'boolean', 'date', 'uuid', 'interval',
  'timestamp with time zone', 'timestamp without time zone', 'time with time zone', 'time without time zone', 'oid',
]);
// Sealed columns holding personal data; every other sealed column holds a secret.
const PERSONAL_SEALED = new Set(['details_sealed', 'customer_sealed', 'email_sealed', 'message_sealed']);

export interface Identities {
  /** Payers' and contacts' names. */
  names: string[];
  emails: string[];
}

export interface DatabaseScan {
  database: string;
  leaks: Leak[];
  identities: Identities;
}

function leaves(value: unknown, key = '', out: Array<[string, string]> = []): Array<[string, string]> {
  if (typeof value === 'string') out.push([key, value]);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) leaves(v, Array.isArray(value) ? key : k, out);
  return out;
}

/** Opens every sealed value the keyring opens; returns its secrets and the people it names. */
async function openSealed(db: Db, keyring: Keyring): Promise<{ secrets: Set<string>; identities: Identities }> {
  const secrets = new Set<string>();
  const names = new Set<string>();
  const emails = new Set<string>();
  for (const target of SEALED_COLUMNS) {
    const keys = sql.join(target.key.map((k) => sql`${sql.id(k)}::text as ${sql.id(k)}`));
    const rows = await sql<Record<string, string>>`select ${keys}, ${sql.id(target.column)} as sealed from ${sql.id(target.table)}
      where ${sql.id(target.column)} is not null`.execute(db).then((r) => r.rows, () => []);
    for (const row of rows) {
      let plaintext: string;
      try {
        plaintext = open(keyring, row.sealed, target.boundTo(row));
      } catch {
        continue; // sealed under a key of the test's own (the rotation tests)
      }
      let parsed: unknown = plaintext;
      try {
        parsed = JSON.parse(plaintext);
      } catch {
        // a plain string
      }
      for (const [key, text] of leaves(parsed)) {
        for (const m of text.matchAll(EMAIL)) emails.add(m[0]);
        if (PERSONAL_SEALED.has(target.column)) {
          if (key === 'name' && text.trim().length >= 3) names.add(text.trim());
        } else if (text.length >= 16) {
          secrets.add(text);
        }
      }
    }
  }
  return { secrets, identities: { names: [...names], emails: [...emails] } };
}

/** Scans one database: fixed patterns, test passwords, any email, and (with its keyring) its own sealed secrets and payer names. */
export async function scanDatabase(db: Db, database: string, keyring?: Keyring): Promise<DatabaseScan> {
  const opened = keyring ? await openSealed(db, keyring) : { secrets: new Set<string>(), identities: { names: [], emails: [] } };
  const columns = await sql<{ table_name: string; column_name: string; data_type: string }>`
    select c.table_name, c.column_name, c.data_type from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
    order by c.table_name, c.ordinal_position`.execute(db);
  const tables = new Map<string, Array<{ name: string; type: string }>>();
  for (const c of columns.rows) {
    if (!tables.has(c.table_name)) tables.set(c.table_name, []);
    tables.get(c.table_name)!.push({ name: c.column_name, type: c.data_type });
  }
  const needles = { secrets: opened.secrets, names: [...new Set([...TEST_PAYER_NAMES, ...opened.identities.names])], passwords: TEST_PASSWORDS };
  const leaks: Leak[] = [];
  for (const [table, all] of tables) {
    const text = all.filter((c) => !NOT_TEXT.has(c.type));
    if (text.length === 0) continue;
    const id = all.find((c) => c.name === 'id');
    const extra = id && NOT_TEXT.has(id.type) ? [sql`id::text as id`] : [];
    const select = sql.join([
      ...extra,
      ...text.map((c) => (c.type === 'bytea' ? sql`encode(${sql.id(c.name)}, 'escape') as ${sql.id(c.name)}` : sql`${sql.id(c.name)}::text as ${sql.id(c.name)}`)),
    ]);
    const rows = await sql<Record<string, unknown>>`select ${select} from ${sql.id(table)}`.execute(db);
    leaks.push(...scanTable(database, { table, columns: text.map((c) => c.name), idColumn: id ? 'id' : undefined, rows: rows.rows }, needles));
  }
  return { database, leaks, identities: opened.identities };
}
