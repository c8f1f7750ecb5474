// End to end: card quote payments from checkout completion (the payer back from Stripe: `completeCheckout`) to the
// credit note in the Xero emulator, through the real API, workflows and activities on real Temporal and Postgres.
//
// Each step offers a steady (open-loop) rate for STEP_SECONDS: completions are fired on a fixed schedule whether
// or not earlier ones finished, so a backlog shows up as latency, not as a slower offered rate. The quotes are
// accepted and their checkouts begun and confirmed at Stripe before the step (outside the measured window). Steps
// go up until one is not sustained: fewer than 90% of the offered rate completed, or a p99 over P99_LIMIT_MS.
// Merchants are spread round-robin: each has its own Xero connection and limits (60 a scaled minute of 1 s, 5 at
// once), so the limits of one connection do not cap the run.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beginCheckoutUpdate, completeCheckoutUpdate } from '../workflows/quotes/definitions';
import { acceptBody, setUpQuoteMerchant, startQuoteWorld, type QuoteMerchant, type QuoteWorld } from '../test/support/quotes';
import { latencySvg } from './support/plot';
import { startBenchStack, type BenchTemporal } from './support/stack';
import { inParallel, percentile, publishBenchServers, round } from './support/world';

const LOADS = [1, 2, 4, 6, 8, 12, 16];
const STEP_SECONDS = 10;
const P99_LIMIT_MS = 5_000;
const MERCHANTS = 6;
const DRAIN_TIMEOUT_MS = 60_000;

interface Prepared {
  merchant: QuoteMerchant;
  quoteId: string;
  company: string;
  paymentIntentId: string;
}

/** Accept, begin a guest card checkout and confirm it at Stripe: everything up to the payer's return. */
async function prepare(world: QuoteWorld, merchant: QuoteMerchant): Promise<Prepared> {
  const body = acceptBody();
  const accepted = await merchant.cpq('POST', '/v1/cpq/quote-payments', { body });
  if (accepted.status !== 201) throw new Error(`accept: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  const handle = world.stack.client.workflow.getHandle(`quote-payment/${merchant.merchantId}/${body.quoteId}`);
  const { paymentIntentId } = await handle.executeUpdate(beginCheckoutUpdate, { args: [{ checkout: 'guest', method: 'card' }] });
  await world.stripe.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: 'pm_card_visa' }, { stripeAccount: merchant.stripeAccountId });
  return { merchant, quoteId: body.quoteId, company: (body.customer as { company: string }).company, paymentIntentId };
}

/** Calls `seen(contactName)` as each credit note appears in the emulator's ledger (checked every 5 ms). */
function watchCreditNotes(world: QuoteWorld, seen: (contactName: string, at: number) => void): () => void {
  const known = new Set<string>();
  const timer = setInterval(() => {
    const ledger = world.xero.ledger();
    const now = performance.now();
    for (const [id, note] of ledger.creditNotes) {
      if (known.has(id)) continue;
      known.add(id);
      const contact = ledger.contacts.get(note.contactId);
      if (contact) seen(contact.name, now);
    }
  }, 5);
  return () => clearInterval(timer);
}

export async function runStep(world: QuoteWorld, merchants: QuoteMerchant[], rate: number) {
  const count = rate * STEP_SECONDS;
  const prepared = await inParallel(Array.from({ length: count }, (_, i) => merchants[i % merchants.length]), 8, (m) => prepare(world, m));
  const firedAt = new Map<string, number>();
  const latencies: number[] = [];
  let lastDone = 0;
  let failures = 0;
  let done!: () => void;
  const allDone = new Promise<void>((resolve) => (done = resolve));
  const stop = watchCreditNotes(world, (name, at) => {
    const fired = firedAt.get(name);
    if (fired === undefined) return;
    firedAt.delete(name);
    latencies.push(at - fired);
    lastDone = at;
    if (latencies.length + failures === count) done();
  });
  const start = performance.now();
  const fires = prepared.map((p, i) => new Promise<void>((resolve) => setTimeout(async () => {
    firedAt.set(p.company, performance.now());
    const handle = world.stack.client.workflow.getHandle(`quote-payment/${p.merchant.merchantId}/${p.quoteId}`);
    try {
      const result = await handle.executeUpdate(completeCheckoutUpdate, { args: [{ paymentIntentId: p.paymentIntentId }] });
      if (result.status !== 'paid') throw new Error(`status ${result.status}`);
    } catch (err) {
      failures++;
      firedAt.delete(p.company);
      process.stderr.write(`  completion failed: ${(err as Error).message}\n`);
      if (latencies.length + failures === count) done();
    }
    resolve();
  }, Math.max(0, start + (i * 1000) / rate - performance.now()))));
  await Promise.all(fires);
  await Promise.race([allDone, new Promise((r) => setTimeout(r, DRAIN_TIMEOUT_MS))]);
  stop();
  const seconds = (lastDone - start) / 1000;
  const completedRate = latencies.length / Math.max(seconds, STEP_SECONDS);
  const p99 = percentile(latencies, 99);
  return {
    offeredPerSecond: rate,
    payments: count,
    completed: latencies.length,
    failed: failures,
    completedPerSecond: round(completedRate, 2),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(p99),
    maxMs: round(Math.max(...latencies)),
    sustained: latencies.length === count && completedRate >= 0.9 * rate && p99 <= P99_LIMIT_MS,
  };
}

export async function e2eBenchmark(opts: { temporal?: BenchTemporal; loads?: readonly number[]; plot?: string } = {}): Promise<Record<string, unknown>> {
  const s = await startBenchStack({ temporal: opts.temporal });
  let world: QuoteWorld | undefined;
  try {
    await publishBenchServers(s);
    // The downpayment check waits far longer than the run: a bench measures the payment, not idle polling.
    world = await startQuoteWorld({ timing: { abandonAfterMs: 3_600_000, downpaymentCheckEveryMs: 3_600_000, downpaymentGiveUpAfterMs: 7_200_000 } });
    const merchants: QuoteMerchant[] = [];
    for (let i = 0; i < MERCHANTS; i++) merchants.push(await setUpQuoteMerchant(world, { methods: ['card'], cpqMethods: ['card'] }));
    await runStep(world, merchants, 1); // warm-up: JIT, connections, token caches
    const loads = [];
    for (const rate of opts.loads ?? LOADS) {
      const step = await runStep(world, merchants, rate);
      process.stdout.write(`  offered ${String(rate).padStart(3)}/s  completed ${String(step.completedPerSecond).padStart(6)}/s  p50 ${String(step.p50Ms).padStart(7)} ms  p99 ${String(step.p99Ms).padStart(7)} ms  ${step.sustained ? 'sustained' : 'NOT sustained'}\n`);
      loads.push(step);
      if (!step.sustained) break;
    }
    const sustained = loads.filter((l) => l.sustained);
    // The headline latency is at the highest sustained load (steady state), else at the lowest offered.
    const headline = sustained.at(-1) ?? loads[0];
    const svg = latencySvg(loads.map((l) => ({ x: l.offeredPerSecond, p50: l.p50Ms, p99: l.p99Ms, ok: l.sustained })));
    const plot = opts.plot ?? 'e2e-latency.svg';
    writeFileSync(path.join(__dirname, 'results', plot), svg);
    return {
      p50Ms: headline.p50Ms,
      p99Ms: headline.p99Ms,
      atRatePerSecond: headline.offeredPerSecond,
      maxRatePerSecond: sustained.at(-1)?.completedPerSecond ?? 0,
      maxOfferedRateSustained: sustained.at(-1)?.offeredPerSecond ?? 0,
      stepSeconds: STEP_SECONDS,
      merchants: MERCHANTS,
      loads,
      plot: `bench/results/${plot}`,
    };
  } finally {
    await world?.close();
    await s.close();
  }
}
