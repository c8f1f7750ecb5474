import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { createDb } from '../db/database';
import type { RunningTestServers } from './global-setup';
import { describeLeaks, scanLogText, TEST_PAYER_NAMES, type Leak } from './support/leak-scan';
import { scanDatabase } from './support/leak-scan-db';
import { readRun } from './support/run-logs';
import { testServers } from './support/servers';

// The run's leak check (issue 8): no secret or payer email in any test database, no payer email or name in the
// info-level logs. It runs here because the global teardown is the one hook of jest 30 that runs once, after every
// test file of every worker has finished (so every stack has closed and scanned its database), in the main process
// that still has the servers: databases nobody dropped are scanned before Postgres stops. A throw here makes jest
// print the message and exit non-zero (a reporter's onRunComplete could fail the run too, but it cannot reach the
// servers' handles, and a last "project" is not ordered after the others' files).
async function leakCheck(runDir: string): Promise<{ leaks: Leak[]; summary: string }> {
  const run = readRun(runDir);
  const leaks = run.scans.flatMap((s) => s.leaks);
  const scanned = new Set(run.scans.map((s) => s.database));
  const servers = testServers();
  const leftover = [...run.databases.filter((d) => !scanned.has(d)), servers.templateDatabase];
  const admin = createDb(servers.postgresUrl, 1);
  const existing = new Set((await sql<{ datname: string }>`select datname from pg_database`.execute(admin)).rows.map((r) => r.datname));
  await admin.destroy();
  for (const name of leftover.filter((d) => existing.has(d))) {
    const url = new URL(servers.postgresUrl);
    url.pathname = `/${name}`;
    const db = createDb(url.toString(), 1);
    try {
      leaks.push(...(await scanDatabase(db, name)).leaks);
    } finally {
      await db.destroy();
    }
  }
  // Any email address at all (stricter than the payers' own), and every payer name the tests used or stored.
  const names = [...new Set([...TEST_PAYER_NAMES, ...run.scans.flatMap((s) => s.identities.names)])];
  let lines = 0;
  for (const file of run.logFiles) {
    const content = readFileSync(file, 'utf8');
    lines += content.split('\n').length - 1;
    leaks.push(...scanLogText(path.basename(file), content, { names }));
  }
  const databases = scanned.size + leftover.filter((d) => existing.has(d)).length;
  return { leaks, summary: `leak check: ${databases} databases, ${lines} log lines in ${run.logFiles.length} files, ${leaks.length} leaks` };
}

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as { __settleTestServers?: RunningTestServers }).__settleTestServers;
  if (!servers) return;
  let check: { leaks: Leak[]; summary: string } | undefined;
  let failed: unknown;
  try {
    check = await leakCheck(servers.workDir);
  } catch (err) {
    failed = err;
  }
  await Promise.all([servers.local.teardown(), servers.postgres?.stop()]);
  // The logs stay for reading when they leaked (or when SETTLE_KEEP_TEST_LOGS=1); everything else goes.
  const keepLogs = failed !== undefined || (check?.leaks.length ?? 0) > 0 || process.env.SETTLE_KEEP_TEST_LOGS === '1';
  for (const entry of readdirSync(servers.workDir)) {
    if (!(keepLogs && entry === 'logs')) rmSync(path.join(servers.workDir, entry), { recursive: true, force: true });
  }
  if (!keepLogs) rmSync(servers.workDir, { recursive: true, force: true });
  if (failed) throw failed;
  process.stderr.write(`${check!.summary}${keepLogs ? ` (logs kept in ${path.join(servers.workDir, 'logs')})` : ''}\n`);
  if (check!.leaks.length > 0) {
    const error = new Error(`secrets or payer data leaked into Postgres or the info-level logs (values masked):\n${describeLeaks(check!.leaks)}`);
    error.stack = error.message; // where it was thrown says nothing: the message names every place
    throw error;
  }
}
