// Servers of a chaos test's own, which it can stop and start again (the shared test servers must stay up for the
// other test files): published in place of the shared ones while the test file runs, so the usual world builders
// (startQuoteWorld) use them. Each restart reuses the same files and port, as a real restart would.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createDb, migrateToLatest } from '../../db/database';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../db/embedded-postgres';
import { freePort } from '../../lib/net';
import { findTemporalCli } from '../../lib/temporal/binaries';
import { startTemporalDevServer, type DevServer } from '../../lib/temporal/dev-server';
import { publishTestServers, testServers, type TestServers } from '../support/servers';

export interface Restartable {
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Puts the shared servers back. */
  unpublish(): void;
}

export function publishing(patch: Partial<TestServers>): () => void {
  const shared = testServers();
  publishTestServers({ ...shared, ...patch });
  return () => publishTestServers(shared);
}

/** A Temporal dev server with its database in a file, so a restart keeps every workflow. */
export async function ownTemporal(): Promise<Restartable> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'settle-chaos-temporal-'));
  const cli = await findTemporalCli();
  if (!cli) throw new Error('the chaos suite needs the Temporal CLI');
  const opts = { cli, dbFile: path.join(dir, 'temporal.db'), logFile: path.join(dir, 'temporal.log'), port: await freePort(), uiPort: await freePort(), namespace: 'default' };
  let server: DevServer | undefined = await startTemporalDevServer(opts);
  const unpublish = publishing({ temporalAddress: server.address });
  return {
    async stop() {
      await server?.stop();
      server = undefined;
    },
    async start() {
      server = await startTemporalDevServer(opts);
    },
    unpublish,
  };
}

/** A persistent embedded Postgres with a migrated template database; `url` is its admin connection. */
export async function ownPostgres(): Promise<Restartable & { url: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'settle-chaos-pg-'));
  const opts = { databaseDir: path.join(dir, 'pg'), port: await freePort(), persistent: true };
  let pg: EmbeddedPostgres | undefined = await startEmbeddedPostgres(opts);
  const template = 'settle_chaos_template';
  const admin = createDb(pg.url, 1);
  await sql`create database ${sql.id(template)}`.execute(admin);
  await admin.destroy();
  const url = new URL(pg.url);
  url.pathname = `/${template}`;
  const templateDb = createDb(url.toString(), 1);
  await migrateToLatest(templateDb);
  await templateDb.destroy();
  const unpublish = publishing({ postgresUrl: pg.url, templateDatabase: template });
  return {
    url: pg.url,
    async stop() {
      await pg?.stop();
      pg = undefined;
    },
    async start() {
      pg = await startEmbeddedPostgres(opts);
    },
    unpublish,
  };
}
