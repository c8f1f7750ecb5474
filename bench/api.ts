// API: autocannon against POST /v1/payments (start) and GET /v1/payments/{id} (status), the API running as its own
// process (the production entry point), compared with the raw Temporal client starting the same workflow (same
// input, search attributes, id policy) from this process at the same concurrency, on the same server in the same
// run. Start phases alternate raw, API, raw, API, so a noisy machine's drift hits both alike. No worker polls the
// start queue: the comparison is the start path, not the workflow.
//
// Status reads completed payments (describe, then the Postgres row): the payments are run to completion first on
// another queue with workers, so the status phase never waits on a query.
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { createMerchant } from '../db/merchants';
import { freePort } from '../lib/net';
import { taskQueueName } from '../lib/task-queues';
import { SettleAmount, SettleMerchantId, SettlePaymentId, SettleStatus } from '../lib/temporal/search-attributes';
import { paymentWorkflowId, type PaymentInput } from '../workflows/payments/definitions';
import { paymentWorkflow } from '../workflows/payments/payment-workflow';
import { runEntryPoint, type RunningProcess } from '../test/support/processes';
import { startTestStack, type TestStack } from '../test/support/stack';
import { startBenchStack } from './support/stack';
import { inParallel, percentile, publishBenchServers, round } from './support/world';

const CONNECTIONS = 16;
const PHASE_SECONDS = 8;
const ROUNDS = 2;
const STATUS_PAYMENTS = 100;
const START_PREFIX = 'bench-api-start';

function paymentInput(merchantId: string): PaymentInput {
  return { paymentId: `pay_${randomBytes(12).toString('hex')}`, merchantId, amountMinor: 12_550, currency: 'AUD', reference: 'INV-1001',
    channel: 'virtual_terminal', method: 'card', applications: [] };
}

/** What POST /v1/payments does at Temporal, straight from a client: CONNECTIONS loops for PHASE_SECONDS. */
async function rawClientPhase(stack: TestStack, merchantId: string) {
  const latencies: number[] = [];
  const until = performance.now() + PHASE_SECONDS * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (performance.now() < until) {
      const input = paymentInput(merchantId);
      const t = performance.now();
      await stack.client.workflow.start(paymentWorkflow, {
        workflowId: paymentWorkflowId(merchantId, input.paymentId), taskQueue: taskQueueName(START_PREFIX, 'workflows'), args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: SettleMerchantId, value: merchantId }, { key: SettlePaymentId, value: input.paymentId },
          { key: SettleStatus, value: 'received' }, { key: SettleAmount, value: input.amountMinor / 100 },
        ],
      });
      latencies.push(performance.now() - t);
    }
  }));
  return { rate: latencies.length / ((performance.now() - started) / 1000), p99Ms: percentile(latencies, 99), requests: latencies.length };
}

async function cannon(opts: autocannon.Options) {
  const result = await autocannon({ connections: CONNECTIONS, duration: PHASE_SECONDS, ...opts });
  if (result.errors || result.non2xx) throw new Error(`${opts.url}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
  return { rate: result.requests.total / result.duration, p99Ms: result.latency.p99, p50Ms: result.latency.p50, requests: result.requests.total };
}

export async function apiBenchmark(): Promise<Record<string, unknown>> {
  const s = await startBenchStack();
  let stack: TestStack | undefined;
  let api: RunningProcess | undefined;
  try {
    await publishBenchServers(s);
    stack = await startTestStack({ roles: ['workflows', 'wise-pay'], api: false });
    const { merchant, apiKey } = await createMerchant(stack.db, 'API Bench MSP');
    const port = await freePort();
    api = runEntryPoint('api/server.ts', {
      DATABASE_URL: stack.databaseUrl, TEMPORAL_ADDRESS: s.temporalAddress, SETTLE_TASK_QUEUE_PREFIX: START_PREFIX,
      SETTLE_ENCRYPTION_KEYS: stack.encryptionKeys, SETTLE_ADMIN_API_KEY: randomBytes(24).toString('hex'),
      STRIPE_SECRET_KEY: 'sk_test_unused', STRIPE_API_BASE: 'http://127.0.0.1:9', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn',
      DATABASE_POOL_SIZE: '10',
    });
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if ((await fetch(`${url}/healthz`).catch(() => undefined))?.ok) break;
      if (i > 300) throw new Error(`the API did not start:\n${api.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const headers = { authorization: `Bearer ${apiKey.key}`, 'content-type': 'application/json' };
    const startBody = JSON.stringify({ amount: '125.50', currency: 'AUD', reference: 'INV-1001' });

    // Warm-up of both paths (JIT, connections, the API's pool).
    await cannon({ url: `${url}/v1/payments`, method: 'POST', headers, body: startBody, duration: 2 });
    await rawClientPhase(stack, merchant.id);

    const raw = [];
    const viaApi = [];
    for (let r = 0; r < ROUNDS; r++) {
      raw.push(await rawClientPhase(stack, merchant.id));
      viaApi.push(await cannon({ url: `${url}/v1/payments`, method: 'POST', headers, body: startBody }));
      process.stdout.write(`  round ${r + 1}: raw client ${round(raw[r].rate)}/s (p99 ${round(raw[r].p99Ms)} ms), API ${round(viaApi[r].rate)}/s (p99 ${viaApi[r].p99Ms} ms)\n`);
    }

    // Status: completed payments, read round-robin.
    const ids = await inParallel(Array.from({ length: STATUS_PAYMENTS }, () => paymentInput(merchant.id)), 10, async (input) => {
      await stack!.client.workflow.execute(paymentWorkflow, {
        workflowId: paymentWorkflowId(merchant.id, input.paymentId), taskQueue: taskQueueName(stack!.taskQueuePrefix, 'workflows'), args: [input],
      });
      return input.paymentId;
    });
    let next = 0;
    const status = await cannon({
      url, headers: { authorization: headers.authorization },
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/v1/payments/${ids[next++ % ids.length]}` }) }],
    });

    const total = (phases: { requests: number; rate: number }[]) => phases.reduce((n, p) => n + p.requests, 0) / phases.reduce((t, p) => t + p.requests / p.rate, 0);
    const apiRate = total(viaApi);
    const rawClientRate = total(raw);
    const p99Ms = Math.max(...viaApi.map((p) => p.p99Ms));
    return {
      apiRate: round(apiRate),
      rawClientRate: round(rawClientRate),
      ratio: round(apiRate / rawClientRate, 3),
      p99Ms,
      rawClientP99Ms: round(Math.max(...raw.map((p) => p.p99Ms))),
      statusRate: round(status.rate),
      statusP50Ms: status.p50Ms,
      statusP99Ms: status.p99Ms,
      connections: CONNECTIONS,
      phaseSeconds: PHASE_SECONDS,
      targets: { ratio: 0.9, p99Ms: 100 },
      meetsTargets: apiRate / rawClientRate >= 0.9 && p99Ms < 100 && status.p99Ms < 100,
    };
  } finally {
    await api?.stop();
    await stack?.close();
    await s.close();
  }
}
