// Embedded Postgres starts wherever the checkout is. As root it runs as the postgres user, which cannot enter a
// folder only root may enter (a clone in /root or in a `mktemp -d` folder): its data then lives in /var/tmp, linked
// from where it was asked for, kept across restarts when persistent and removed with the link when not.
import { existsSync, lstatSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createDb } from '../../db/database';
import { startEmbeddedPostgres } from '../../db/embedded-postgres';
import { freePort } from '../../lib/net';

const asRoot = process.getuid?.() === 0;
const privateDir = mkdtempSync(path.join(os.tmpdir(), 'settle-private-')); // mode 0700, as `mktemp -d` makes it
afterAll(() => rmSync(privateDir, { recursive: true, force: true }));

async function tables(url: string): Promise<string[]> {
  const db = createDb(url, 1);
  try {
    return (await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = 'public'`.execute(db)).rows.map((r) => r.tablename);
  } finally {
    await db.destroy();
  }
}

(asRoot ? it : it.skip)('runs from a folder the postgres user cannot enter, keeping persistent data across restarts', async () => {
  const databaseDir = path.join(privateDir, 'checkout', '.data', 'postgres');
  const port = await freePort();
  const first = await startEmbeddedPostgres({ databaseDir, port, persistent: true });
  const target = readlinkSync(databaseDir);
  try {
    expect(lstatSync(databaseDir).isSymbolicLink()).toBe(true);
    expect(target.startsWith('/var/tmp/settle-postgres-data-')).toBe(true);
    const db = createDb(first.url, 1);
    await sql`create table kept (id int)`.execute(db);
    await db.destroy();
  } finally {
    await first.stop();
  }
  const second = await startEmbeddedPostgres({ databaseDir, port, persistent: true });
  try {
    expect(readlinkSync(databaseDir)).toBe(target);
    expect(await tables(second.url)).toContain('kept');
  } finally {
    await second.stop();
    rmSync(path.dirname(target), { recursive: true, force: true });
  }
}, 120_000);

(asRoot ? it : it.skip)('removes relocated data and its link when the cluster is not persistent', async () => {
  const databaseDir = path.join(privateDir, 'ephemeral', 'postgres');
  const pg = await startEmbeddedPostgres({ databaseDir, port: await freePort(), persistent: false });
  const target = readlinkSync(databaseDir);
  expect(await tables(pg.url)).toEqual([]);
  await pg.stop();
  expect(existsSync(target)).toBe(false);
  expect(() => lstatSync(databaseDir)).toThrow(/ENOENT/); // the link too, not only what it pointed at
}, 120_000);
