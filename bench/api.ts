// API: autocannon against POST /v1/payments (start) and GET /v1/payments/{id} (status), the API running as its own
// process (the production entry point), compared with the raw Temporal client starting the same workflow (same
// input, search attributes, id policy) from this process at the same concurrency, on the same server in the same
// run. Start phases alternate raw, API, raw, API, so a noisy machine's drift hits both alike. No worker polls the
// start queue: the comparison is the start path, not the workflow. The ratio is of the highest rates (16 requests
// back to back); latency is measured at a steady load of half that rate, offered on a schedule to both paths and to
// the status route.
//
// Status reads completed payments (answered from their Postgres row): the payments are run to completion first on
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
const ROUNDS = 6;
const STATUS_PAYMENTS = 100;
const START_PREFIX = 'bench-api-start';

function paymentInput(merchantId: string): PaymentInput {
  return { paymentId: `pay_${randomBytes(12).toString('hex')}`, merchantId, amountMinor: 12_550, currency: 'AUD', reference: 'INV-1001',
    channel: 'virtual_terminal', method: 'card', applications: [] };
}

/**
 * Sends `send()` for PHASE_SECONDS: CONNECTIONS loops back to back (the highest rate), or, given `ratePerSecond`, on
 * an even schedule whatever the answers (latency at a steady load). autocannon's own rate option lets each connection
 * send its quota for the second back to back at the tick, so it measures bursts: the steady phases of both paths use
 * this schedule instead.
 */
async function phase(send: () => Promise<void>, ratePerSecond?: number) {
  const latencies: number[] = [];
  const until = performance.now() + PHASE_SECONDS * 1000;
  const started = performance.now();
  const one = async () => {
    const t = performance.now();
    await send();
    latencies.push(performance.now() - t);
  };
  if (ratePerSecond) {
    const inFlight: Promise<void>[] = [];
    for (let i = 0; started + (i * 1000) / ratePerSecond < until; i++) {
      const at = started + (i * 1000) / ratePerSecond;
      if (at > performance.now()) await new Promise((r) => setTimeout(r, at - performance.now()));
      inFlight.push(one());
    }
    await Promise.all(inFlight);
  } else {
    await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < until) await one();
    }));
  }
  return { rate: latencies.length / ((performance.now() - started) / 1000), p99Ms: percentile(latencies, 99), p50Ms: percentile(latencies, 50), requests: latencies.length };
}

/** What POST /v1/payments does at Temporal, straight from a client. */
function rawClientStart(stack: TestStack, merchantId: string) {
  return async () => {
    const input = paymentInput(merchantId);
    await stack.client.workflow.start(paymentWorkflow, {
      workflowId: paymentWorkflowId(merchantId, input.paymentId), taskQueue: taskQueueName(START_PREFIX, 'workflows'), args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: SettleMerchantId, value: merchantId }, { key: SettlePaymentId, value: input.paymentId },
        { key: SettleStatus, value: 'received' }, { key: SettleAmount, value: input.amountMinor / 100 },
      ],
    });
  };
}

/** One API request to `url()` (keep-alive, like autocannon's connections); anything but 2xx fails the benchmark. */
function apiRequest(url: () => string, init: RequestInit) {
  return async () => {
    const target = url();
    const res = await fetch(target, init);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${target}: ${res.status}`);
  };
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
    await phase(rawClientStart(stack, merchant.id));

    const total = (phases: { requests: number; rate: number }[]) => phases.reduce((n, p) => n + p.requests, 0) / phases.reduce((t, p) => t + p.requests / p.rate, 0);
    const raw = [];
    const viaApi = [];
    for (let r = 0; r < ROUNDS; r++) {
      raw.push(await phase(rawClientStart(stack, merchant.id)));
      viaApi.push(await cannon({ url: `${url}/v1/payments`, method: 'POST', headers, body: startBody }));
      process.stdout.write(`  round ${r + 1}: raw client ${round(raw[r].rate)}/s (p99 ${round(raw[r].p99Ms)} ms), API ${round(viaApi[r].rate)}/s (p99 ${viaApi[r].p99Ms} ms)\n`);
    }

    // Latency at a steady load: half the raw client's highest rate, offered on a schedule to both paths. At the
    // highest rate every path's p99 is its queue (16 requests waiting on one server), which says nothing of the API.
    const steadyRate = Math.max(1, Math.round(total(raw) / 2));
    const rawSteady = await phase(rawClientStart(stack, merchant.id), steadyRate);
    const apiSteady = await phase(apiRequest(() => `${url}/v1/payments`, { method: 'POST', headers, body: startBody }), steadyRate);
    process.stdout.write(`  steady ${steadyRate}/s: raw client p50 ${round(rawSteady.p50Ms)} ms p99 ${round(rawSteady.p99Ms)} ms, API p50 ${round(apiSteady.p50Ms)} ms p99 ${round(apiSteady.p99Ms)} ms\n`);

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
    let nextSteady = 0;
    // The same steady load as the starts: one load, both routes.
    const statusSteady = await phase(apiRequest(() => `${url}/v1/payments/${ids[nextSteady++ % ids.length]}`, { headers: { authorization: headers.authorization } }), steadyRate);
    process.stdout.write(`  status: highest ${round(status.rate)}/s (p99 ${status.p99Ms} ms); steady ${steadyRate}/s p50 ${round(statusSteady.p50Ms)} ms p99 ${round(statusSteady.p99Ms)} ms\n`);

    const apiRate = total(viaApi);
    const rawClientRate = total(raw);
    const p99Ms = round(apiSteady.p99Ms);
    return {
      apiRate: round(apiRate),
      rawClientRate: round(rawClientRate),
      ratio: round(apiRate / rawClientRate, 3),
      // Latency at the steady load (half the raw client's highest rate), for the API and the raw client alike.
      steadyRatePerSecond: steadyRate,
      p50Ms: round(apiSteady.p50Ms),
      p99Ms,
      rawClientSteadyP99Ms: round(rawSteady.p99Ms),
      // At the highest rate (CONNECTIONS back to back) latency is queueing; reported, not the target.
      saturationP99Ms: Math.max(...viaApi.map((p) => p.p99Ms)),
      rawClientSaturationP99Ms: round(Math.max(...raw.map((p) => p.p99Ms))),
      statusRate: round(status.rate),
      statusSteadyRatePerSecond: steadyRate,
      statusP50Ms: round(statusSteady.p50Ms),
      statusP99Ms: round(statusSteady.p99Ms),
      statusSaturationP99Ms: status.p99Ms,
      connections: CONNECTIONS,
      phaseSeconds: PHASE_SECONDS,
      targets: { ratio: 0.9, p99Ms: 100 },
      meetsTargets: apiRate / rawClientRate >= 0.9 && p99Ms < 100 && statusSteady.p99Ms < 100,
    };
  } finally {
    await api?.stop();
    await stack?.close();
    await s.close();
  }
}
