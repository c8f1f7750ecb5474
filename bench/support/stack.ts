// The real servers a benchmark runs against, started fresh in a temporary folder: Temporal dev server
// (from the CLI) or the production cluster, Postgres (DATABASE_URL or embedded) with migrations. Loopback only; stopped at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createDb, migrateToLatest, type Db } from '../../db/database';
import { startEmbeddedPostgres } from '../../db/embedded-postgres';
import { createLogger } from '../../lib/logger';
import { freePort } from '../../lib/net';
import { newKeyringText, parseKeyring, type Keyring } from '../../lib/crypto/sealed-box';
import { findTemporalCli, findTemporalServerTools } from '../../lib/temporal/binaries';
import { clusterPostgres, startTemporalCluster } from '../../lib/temporal/cluster';
import { settleDataConverter } from '../../lib/temporal/payload-codec';
import { startTemporalDevServer } from '../../lib/temporal/dev-server';
import { installTemporalRuntime } from '../../lib/temporal/runtime';

export interface BenchStack {
  db: Db;
  client: Client;
  nativeConnection: NativeConnection;
  /** For processes a benchmark starts (the API as its own process). */
  temporalAddress: string;
  databaseUrl: string;
  /** SETTLE_ENCRYPTION_KEYS of this run: the client's payload codec and the benchmark's sealed columns use it. */
  encryptionKeys: string;
  keyring: Keyring;
  close(): Promise<void>;
}

/**
 * Which Temporal a benchmark runs on: the dev server (one process, SQLite; the default), or the production shape
 * (lib/temporal/cluster.ts: four service processes on the benchmark's Postgres).
 */
export type BenchTemporal = 'dev-server' | 'cluster';

async function startTemporal(kind: BenchTemporal, dir: string, postgresUrl: string): Promise<{ address: string; stop(): Promise<void> }> {
  if (kind === 'cluster') {
    const tools = await findTemporalServerTools();
    if (!tools) throw new Error('the cluster benchmark needs Go to build temporal-server (or TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH)');
    return startTemporalCluster({ tools, postgres: clusterPostgres(postgresUrl), dir: path.join(dir, 'cluster'), namespace: 'default' });
  }
  const cli = await findTemporalCli();
  if (!cli) throw new Error('benchmarks need the Temporal CLI (install Go, or set TEMPORAL_CLI_PATH)');
  return startTemporalDevServer({ cli, dbFile: path.join(dir, 'temporal.db'), logFile: path.join(dir, 'temporal.log'),
    port: await freePort(), uiPort: await freePort(), namespace: 'default' });
}

export async function startBenchStack(opts: { temporal?: BenchTemporal } = {}): Promise<BenchStack> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'settle-bench-'));
  const postgres = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres({ databaseDir: path.join(dir, 'postgres'), port: await freePort(), persistent: false });
  const databaseUrl = process.env.DATABASE_URL ?? postgres!.url;
  const temporal = await startTemporal(opts.temporal ?? 'dev-server', dir, databaseUrl).catch(async (err) => {
    await postgres?.stop();
    throw err;
  });
  const db = createDb(databaseUrl, 20);
  await migrateToLatest(db);
  installTemporalRuntime(createLogger({ level: 'error', name: 'bench' }));
  const connection = await Connection.connect({ address: temporal.address });
  const nativeConnection = await NativeConnection.connect({ address: temporal.address });
  const encryptionKeys = newKeyringText('bench');
  const keyring = parseKeyring(encryptionKeys);
  return {
    db,
    client: new Client({ connection, dataConverter: settleDataConverter(keyring) }),
    nativeConnection,
    temporalAddress: temporal.address,
    databaseUrl,
    encryptionKeys,
    keyring,
    async close() {
      try {
        await nativeConnection.close();
        await connection.close();
        await db.destroy();
      } finally {
        // The servers stop even when a client would not close: a benchmark leaves no process behind. Temporal first:
        // the cluster keeps its state in this Postgres.
        await temporal.stop();
        await postgres?.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
