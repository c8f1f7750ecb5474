// The Postgres pool and kysely instance, and the migrator that brings a database up to date.
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import { Pool, types } from 'pg';
import { migrations } from './migrations';
import type { Database } from './schema';

export type Db = Kysely<Database>;

// bigint columns hold minor-unit amounts capped far below 2^53, so they are read as numbers; dates are calendar
// dates (YYYY-MM-DD), read as the text they are rather than as midnight in this process's time zone.
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === types.builtins.INT8 ? (v: string) => Number(v)
      : oid === types.builtins.DATE ? (v: string) => v
        : types.getTypeParser(oid, format as 'text')) as typeof types.getTypeParser,
};

export function createDb(url: string, poolSize = 10): Db {
  const pool = new Pool({ connectionString: url, max: poolSize, types: typeParsers, connectionTimeoutMillis: 5_000 });
  // An idle client losing its server (Postgres restarting) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // So must a client that is checked out but between queries (a transaction awaiting an HTTP call): pg emits its
  // 'error' on the client then, and with no listener the process dies (found by test/chaos/postgres-restart). The
  // query in flight still rejects, and the pool drops the broken client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when Postgres answers a trivial query within the pool's connection timeout. */
export async function isDatabaseReachable(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
