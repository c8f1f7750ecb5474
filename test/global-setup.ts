// Starts, once per test run, the real servers every test talks to: the Temporal dev server (from the CLI),
// the time-skipping test server (Java, from Maven), and Postgres (DATABASE_URL, else embedded); migrates
// a template database; and bundles the workflow code once for every worker the tests start.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { createDb, migrateToLatest } from '../db/database';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded-postgres';
import { freePort } from '../lib/net';
import { temporalCliExecutable, testServerExecutable } from '../lib/temporal/binaries';
import { SEARCH_ATTRIBUTES } from '../lib/temporal/search-attributes';
import { bundleWorkflows } from '../workers/workflow-bundle';
import { publishTestServers } from './support/servers';

export interface RunningTestServers {
  local: TestWorkflowEnvironment;
  timeSkipping: TestWorkflowEnvironment;
  postgres?: EmbeddedPostgres;
  workDir: string;
}

const TEMPLATE = 'settle_test_template';

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function withRetries<T>(attempts: number, start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= attempts) throw err;
      process.stderr.write(`starting a test server failed (${(err as Error).message.split('\n')[0]}); trying again\n`);
    }
  }
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'settle-test-'));
  const [cli, testServer] = await Promise.all([temporalCliExecutable(), testServerExecutable()]);
  const launched = await Promise.allSettled([
    TestWorkflowEnvironment.createLocal({
      server: { executable: cli, ip: '127.0.0.1', searchAttributes: SEARCH_ATTRIBUTES, ui: false, log: { format: 'json', level: 'error' } },
    }),
    // The SDK gives the Java server 5 s to listen; a busy machine (a cold JVM, two cores) can miss that a few times.
    withRetries(5, () => TestWorkflowEnvironment.createTimeSkipping({ server: { executable: testServer } })),
    process.env.DATABASE_URL
      ? undefined
      : startEmbeddedPostgres({ databaseDir: path.join(workDir, 'postgres'), port: await freePort(), persistent: false }),
    bundleWorkflows(),
  ] as const);
  const failure = launched.find((r) => r.status === 'rejected');
  if (failure) {
    // Stop what did start: the dev server and Postgres would otherwise outlive the failed run.
    const [l, t, p] = launched;
    await Promise.allSettled([
      l.status === 'fulfilled' ? l.value.teardown() : undefined,
      t.status === 'fulfilled' ? t.value.teardown() : undefined,
      p.status === 'fulfilled' ? p.value?.stop() : undefined,
    ]);
    rmSync(workDir, { recursive: true, force: true });
    throw failure.reason;
  }
  const [local, timeSkipping, postgres, bundle] = launched.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
    TestWorkflowEnvironment, TestWorkflowEnvironment, EmbeddedPostgres | undefined, { code: string },
  ];
  const postgresUrl = process.env.DATABASE_URL ?? postgres!.url;

  const admin = createDb(postgresUrl, 1);
  await sql`drop database if exists ${sql.id(TEMPLATE)}`.execute(admin);
  await sql`create database ${sql.id(TEMPLATE)}`.execute(admin);
  await admin.destroy();
  const template = createDb(withDatabase(postgresUrl, TEMPLATE), 1);
  await migrateToLatest(template);
  await template.destroy();

  const workflowBundlePath = path.join(workDir, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);

  publishTestServers({
    temporalAddress: local.address,
    timeSkippingAddress: timeSkipping.address,
    postgresUrl,
    templateDatabase: TEMPLATE,
    workflowBundlePath,
    runDir: workDir,
  });
  (globalThis as { __settleTestServers?: RunningTestServers }).__settleTestServers = { local, timeSkipping, postgres, workDir };
  process.stderr.write(`\ntest servers ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
}
