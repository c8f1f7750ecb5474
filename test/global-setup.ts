// Starts, once per test run, the real servers every test talks to: the Temporal dev server (from the CLI) and
// Postgres (DATABASE_URL, else embedded); migrates a template database; bundles the workflow code once for every
// worker the tests start; and finds the time-skipping test server (Java, from Maven), which each suite that needs
// one starts for itself (test/support/time-skipping.ts says why).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { createDb, migrateToLatest } from '../db/database';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded-postgres';
import { freePort } from '../lib/net';
import { findTestServer, temporalCliExecutable } from '../lib/temporal/binaries';
import { SEARCH_ATTRIBUTES } from '../lib/temporal/search-attributes';
import { bundleWorkflows } from '../workers/workflow-bundle';
import { publishTestServers } from './support/servers';

export interface RunningTestServers {
  local: TestWorkflowEnvironment;
  postgres?: EmbeddedPostgres;
  workDir: string;
}

const TEMPLATE = 'settle_test_template';

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'settle-test-'));
  const [cli, testServer] = await Promise.all([temporalCliExecutable(), findTestServer()]);
  const launched = await Promise.allSettled([
    TestWorkflowEnvironment.createLocal({
      server: { executable: cli, ip: '127.0.0.1', searchAttributes: SEARCH_ATTRIBUTES, ui: false, log: { format: 'json', level: 'error' } },
    }),
    process.env.DATABASE_URL
      ? undefined
      : startEmbeddedPostgres({ databaseDir: path.join(workDir, 'postgres'), port: await freePort(), persistent: false }),
    bundleWorkflows(),
  ] as const);
  const failure = launched.find((r) => r.status === 'rejected');
  if (failure) {
    // Stop what did start: the dev server and Postgres would otherwise outlive the failed run.
    const [l, p] = launched;
    await Promise.allSettled([
      l.status === 'fulfilled' ? l.value.teardown() : undefined,
      p.status === 'fulfilled' ? p.value?.stop() : undefined,
    ]);
    rmSync(workDir, { recursive: true, force: true });
    throw failure.reason;
  }
  const [local, postgres, bundle] = launched.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
    TestWorkflowEnvironment, EmbeddedPostgres | undefined, { code: string },
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
    timeSkippingExecutable: testServer,
    postgresUrl,
    templateDatabase: TEMPLATE,
    workflowBundlePath,
    runDir: workDir,
  });
  (globalThis as { __settleTestServers?: RunningTestServers }).__settleTestServers = { local, postgres, workDir };
  process.stderr.write(`\ntest servers ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
}
