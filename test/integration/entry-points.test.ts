// The production entry points as real processes: configuration errors stop them with one line naming the
// setting; configured, a worker per queue and the API serve a payment; SIGTERM drains and exits cleanly.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { createMerchant } from '../../db/merchants';
import { newKeyringText, parseKeyring } from '../../lib/crypto/sealed-box';
import { freePort } from '../../lib/net';
import { settleDataConverter } from '../../lib/temporal/payload-codec';
import { paymentWorkflowId } from '../../workflows/payments/definitions';
import { httpClient } from '../support/http';
import { runEntryPoint, type RunningProcess } from '../support/processes';
import { testServers } from '../support/servers';
import { createTestDatabase, type TestDatabase } from '../support/stack';

describe('configuration errors', () => {
  it.each([
    ['api/server.ts', { SETTLE_ADMIN_API_KEY: 'k'.repeat(40) }, 'Configuration error: DATABASE_URL is required (a postgres:// connection URL)'],
    ['api/server.ts', { DATABASE_URL: 'postgres://x@h/db' }, 'Configuration error: SETTLE_ADMIN_API_KEY is required (at least 32 characters)'],
    ['workers/run-worker.ts', { DATABASE_URL: 'postgres://x@h/db', SETTLE_WORKER_ROLE: 'everything' }, 'Configuration error: SETTLE_WORKER_ROLE must be: one of workflows, wise-pay, company, service'],
    ['workers/run-worker.ts', { DATABASE_URL: 'postgres://x@h/db', SETTLE_WORKER_ROLE: 'company', TEMPORAL_ADDRESS: 'temporal' }, 'Configuration error: TEMPORAL_ADDRESS must be host:port'],
  ])('%s with %j stops with one clear line', async (script, env, line) => {
    const run = runEntryPoint(script, env);
    expect(await run.exited).toBe(78);
    expect(run.stderr()).toBe(`${line}\n`);
  });
});

describe('configured', () => {
  let database: TestDatabase;
  const running: RunningProcess[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    await database.drop();
  });

  it('serves a payment through the API and per-queue workers, then drains on SIGTERM', async () => {
    const prefix = `entry-${randomBytes(4).toString('hex')}`;
    const port = await freePort();
    const adminKey = randomBytes(24).toString('hex');
    const env = {
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: testServers().temporalAddress,
      SETTLE_TASK_QUEUE_PREFIX: prefix,
      SETTLE_ENCRYPTION_KEYS: newKeyringText('entry'),
      // Nothing listens there: this test takes no Stripe payment.
      STRIPE_SECRET_KEY: 'sk_test_entrypoints',
      STRIPE_API_BASE: 'http://127.0.0.1:9',
      LOG_LEVEL: 'info',
    };
    const workflowsWorker = runEntryPoint('workers/run-worker.ts', { ...env, SETTLE_WORKER_ROLE: 'workflows' });
    const wisePayWorker = runEntryPoint('workers/run-worker.ts', { ...env, SETTLE_WORKER_ROLE: 'wise-pay' });
    const api = runEntryPoint('api/server.ts', { ...env, PORT: String(port), HOST: '127.0.0.1', SETTLE_ADMIN_API_KEY: adminKey });
    running.push(workflowsWorker, wisePayWorker, api);
    await Promise.all([
      workflowsWorker.waitForOutput(/"msg":"worker started"/),
      wisePayWorker.waitForOutput(/"msg":"worker started"/),
      api.waitForOutput(/"msg":"API listening"/),
    ]);
    expect(workflowsWorker.stdout()).toContain(`"taskQueue":"${prefix}.workflows"`);
    expect(wisePayWorker.stdout()).toContain(`"taskQueue":"${prefix}.accounting.wise-pay"`);

    const request = httpClient(`http://127.0.0.1:${port}`);
    expect((await request('GET', '/readyz')).status).toBe(200);
    const { merchant, apiKey } = await createMerchant(database.db, 'Entry MSP');
    const created = await request('POST', '/v1/payments', { key: apiKey.key, body: { amount: '10.00', currency: 'USD', reference: 'E-1' } });
    expect(created.status).toBe(202);

    const connection = await Connection.connect({ address: testServers().temporalAddress });
    try {
      const client = new Client({ connection, dataConverter: settleDataConverter(parseKeyring(env.SETTLE_ENCRYPTION_KEYS)) });
      const result = await client.workflow.getHandle(paymentWorkflowId(merchant.id, created.body.id)).result();
      expect(result.status).toBe('recorded');
    } finally {
      await connection.close();
    }
    expect(await database.db.selectFrom('payments').select('id').where('merchant_id', '=', merchant.id).execute()).toHaveLength(1);

    expect(await Promise.all([workflowsWorker.stop(), wisePayWorker.stop(), api.stop()])).toEqual([0, 0, 0]);
    expect(workflowsWorker.stdout()).toContain('"msg":"worker stopped"');
    expect(api.stdout()).toContain('"msg":"API stopped"');
  }, 120_000);
});
