// Lets a benchmark reuse the tests' world builders (test/support: startTestStack, startQuoteWorld, merchants) on
// the benchmark's own servers: a migrated template database and the bundled workflows, published the way the
// jest global setup publishes the test servers. One place builds a stack, so a bench measures what tests check.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createDb, migrateToLatest } from '../../db/database';
import { bundleWorkflows } from '../../workers/workflow-bundle';
import { publishTestServers } from '../../test/support/servers';
import type { BenchStack } from './stack';

const TEMPLATE = 'settle_bench_template';

export async function publishBenchServers(s: BenchStack): Promise<void> {
  // `create database … template` needs a template nobody is connected to: a database of its own.
  await sql`drop database if exists ${sql.id(TEMPLATE)}`.execute(s.db);
  await sql`create database ${sql.id(TEMPLATE)}`.execute(s.db);
  const url = new URL(s.databaseUrl);
  url.pathname = `/${TEMPLATE}`;
  const template = createDb(url.toString(), 1);
  await migrateToLatest(template);
  await template.destroy();
  const bundlePath = path.join(os.tmpdir(), `settle-bench-bundle-${process.pid}.js`);
  writeFileSync(bundlePath, (await bundleWorkflows()).code);
  publishTestServers({
    temporalAddress: s.temporalAddress,
    postgresUrl: s.databaseUrl,
    templateDatabase: TEMPLATE,
    workflowBundlePath: bundlePath,
  });
}

/** p-th percentile (0..100) of unsorted samples, nearest rank. */
export function percentile(samples: number[], p: number): number {
  if (!samples.length) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function inParallel<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }));
  return out;
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
