// Settle on Temporal's production shape (`npm run cluster`; not part of `npm test`): temporal-server's frontend,
// history, matching and worker services as separate processes on Postgres, two API processes and two worker
// processes per task queue, all production entry points. Payments are taken through both APIs while, in turn, a
// wise-pay worker is killed (-9), the history service is killed (-9) and started again, and Postgres (Temporal's
// store and Settle's) restarts. After each, every payment is in the books exactly once and none is lost.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findTemporalServerTools } from '../../lib/temporal/binaries';
import { clusterPostgres, startTemporalCluster, type TemporalCluster } from '../../lib/temporal/cluster';
import { freePort } from '../../lib/net';
import { ownPostgres, publishing, type Restartable } from '../chaos/restarts';
import { expectEachPostedOnce, progressTo, seedInvoices, takePayments } from '../chaos/support';
import { httpClient } from '../support/http';
import { createTestMerchant } from '../support/merchants';
import { runEntryPoint, runWorkerProcess, xeroWorkerEnv, type RunningProcess } from '../support/processes';
import { startQuoteWorld, type QuoteWorld } from '../support/quotes';
import { NAMESPACE } from '../support/stack';

const PAYMENTS = 60;
const ROLES = ['workflows', 'wise-pay', 'company', 'service'] as const;

let postgres: Restartable & { url: string };
let cluster: TemporalCluster;
let unpublishCluster: () => void;
let world: QuoteWorld;
const apis: { process: RunningProcess; url: string }[] = [];
const workers = new Map<string, RunningProcess[]>();
const figures: string[] = [];

function settleEnv(): NodeJS.ProcessEnv {
  const { stack, stripe, xero } = world;
  return {
    DATABASE_URL: stack.databaseUrl,
    TEMPORAL_ADDRESS: cluster.address,
    TEMPORAL_NAMESPACE: NAMESPACE,
    SETTLE_TASK_QUEUE_PREFIX: stack.taskQueuePrefix,
    SETTLE_ENCRYPTION_KEYS: stack.encryptionKeys,
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_API_BASE: stripe.emu.url,
    LOG_LEVEL: 'info',
    ...xeroWorkerEnv(xero.emu),
  };
}

async function startWorker(role: (typeof ROLES)[number]): Promise<RunningProcess> {
  const worker = runWorkerProcess(world.stack, role, settleEnv());
  workers.set(role, [...(workers.get(role) ?? []), worker]);
  await worker.waitForOutput(/"msg":"worker started"/, 180_000);
  return worker;
}

beforeAll(async () => {
  const tools = await findTemporalServerTools();
  if (!tools) throw new Error('the cluster suite builds temporal-server with Go: install Go, or set TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH');
  postgres = await ownPostgres();
  cluster = await startTemporalCluster({
    tools, postgres: clusterPostgres(postgres.url), dir: mkdtempSync(path.join(os.tmpdir(), 'settle-cluster-')), namespace: NAMESPACE,
  });
  unpublishCluster = publishing({ temporalAddress: cluster.address });
  // The test's own stack only creates the database, the merchants and the emulators: no worker runs in this process.
  world = await startQuoteWorld({ roles: [] });
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const api = runEntryPoint('api/server.ts', { ...settleEnv(), PORT: String(port), HOST: '127.0.0.1', SETTLE_ADMIN_API_KEY: `admin-${'k'.repeat(40)}` });
    apis.push({ process: api, url: `http://127.0.0.1:${port}` });
  }
  await Promise.all([
    ...apis.map((api) => api.process.waitForOutput(/"msg":"API listening"/, 180_000)),
    ...ROLES.flatMap((role) => [startWorker(role), startWorker(role)]),
  ]);
}, 900_000);

afterAll(async () => {
  await Promise.all([...apis.map((a) => a.process), ...[...workers.values()].flat()].map((p) => p.stop('SIGKILL')));
  await world?.close();
  unpublishCluster?.();
  await cluster?.stop();
  postgres?.unpublish();
  await postgres?.stop();
  process.stderr.write(`[cluster] ${figures.join('\n[cluster] ')}\n`);
});

/** A merchant connected to Xero, with one API client per API process (payments alternate between them). */
async function merchant(name: string) {
  const { merchantId, apiKey } = await createTestMerchant(world.stack, `Cluster ${name}`);
  const tokens = world.xero.emu.oauth.issue(world.xero.tenantId, `settle-${merchantId}`);
  await world.stack.accounting.connections.connect(merchantId, 'wise-pay', { platform: 'xero', tenantId: world.xero.tenantId, tokens });
  return { merchantId, apiKey, clients: apis.map((api) => httpClient(api.url, apiKey)) };
}

const postedCount = () => world.xero.emu.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/Payments') && r.status === 200).length;

/** Pays `PAYMENTS` invoices through both APIs, runs `fault` once a third are posted, and checks the books after. */
async function paymentsThrough(name: string, fault: () => Promise<void>, opts: { retryFor?: number } = {}) {
  const started = Date.now();
  const { merchantId, clients } = await merchant(name);
  const invoiceIds = await seedInvoices(world, PAYMENTS);
  const before = postedCount();
  const halves = [invoiceIds.slice(0, PAYMENTS / 2), invoiceIds.slice(PAYMENTS / 2)];
  world.xero.emu.faults.set({ latencyMs: 50 });
  const taking = Promise.all(halves.map((ids, i) => takePayments({ merchantId, api: clients[i], invoiceIds: ids }, { concurrency: 5, retryFor: opts.retryFor })));
  await progressTo(`a third of the payments posted (${name})`, () => postedCount() - before, PAYMENTS / 3, { stallMs: 180_000 });
  await fault();
  const paymentIds = (await taking).flat();
  const { longestPauseMs } = await progressTo(`all payments posted (${name})`, () => postedCount() - before, PAYMENTS, { stallMs: 180_000 });
  world.xero.emu.faults.clear();
  await expectEachPostedOnce(world, { merchantId, api: clients[0], invoiceIds, paymentIds });
  figures.push(`${name}: ${PAYMENTS} payments through 2 APIs, each posted once, in ${((Date.now() - started) / 1000).toFixed(1)} s; longest pause between postings ${(longestPauseMs / 1000).toFixed(1)} s`);
}

it('runs as separate processes: four Temporal services, two APIs, two workers per queue', async () => {
  expect(Object.values(cluster.services).map((s) => typeof s.pid)).toEqual(['number', 'number', 'number', 'number']);
  expect(new Set(Object.values(cluster.services).map((s) => s.pid)).size).toBe(4);
  expect(ROLES.map((role) => workers.get(role)?.length)).toEqual([2, 2, 2, 2]);
  for (const api of apis) expect((await httpClient(api.url)('GET', '/readyz')).status).toBe(200);
}, 60_000);

it('posts each payment once through a kill -9 of a wise-pay worker', async () => {
  await paymentsThrough('wise-pay worker kill', async () => {
    const [victim, ...rest] = workers.get('wise-pay')!;
    await victim.stop('SIGKILL');
    workers.set('wise-pay', rest);
    await startWorker('wise-pay');
  });
}, 600_000);

it('posts each payment once through a kill -9 of the history service and its restart', async () => {
  const killed = cluster.services.history.pid;
  await paymentsThrough('history service kill', async () => {
    await cluster.services.history.stop('SIGKILL');
    cluster.services.history.start();
  });
  // The postings after the kill went through the history process started in its place.
  expect(cluster.services.history.pid).not.toBe(killed);
  expect(() => process.kill(cluster.services.history.pid!, 0)).not.toThrow();
}, 600_000);

it('posts each payment once through a Postgres restart under load', async () => {
  await paymentsThrough('Postgres restart', async () => {
    await postgres.stop();
    await postgres.start();
  }, { retryFor: 180_000 });
}, 600_000);
