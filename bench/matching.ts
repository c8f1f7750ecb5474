// BPAY matching: planBpayUpload over 10,000 and 100,000 payments against as many outstanding invoices.
// Data is generated from a fixed seed, so every run plans the same nights: about three invoices a customer
// (5% on payment plans), and payments that are exact matches, splits or partial payments, larger than what the
// customer owes (prepayments, most deferred by the nightly cap), or from customers with no invoices.
// Timing is the best of 3 runs after a warm-up; peakRssMB is the largest rss sampled after generating the data
// and after each run (the planning is synchronous, so nothing can sample during it).
import { performance } from 'node:perf_hooks';
import { MAX_PREPAYMENTS_PER_NIGHT } from '../lib/bpay/limits';
import { planBpayUpload, type BpayPayment, type OutstandingInvoice, type UploadPlan } from '../lib/bpay/matching';

const SIZES = [10_000, 100_000];
const RUNS = 3;
const SEED = 0x5e771e;

/** mulberry32: small, fast and good enough to spread test data. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An id shaped like lib/ids.ts makes (prefix and 24 random hex digits), so sorting by id costs what it will. */
function seededId(prefix: string, random: () => number): string {
  let hex = '';
  for (let i = 0; i < 3; i++) hex += Math.floor(random() * 2 ** 32).toString(16).padStart(8, '0');
  return `${prefix}_${hex}`;
}

const isoDay = (start: string, offset: number) => new Date(Date.parse(start) + offset * 86_400_000).toISOString().slice(0, 10);

function generate(n: number) {
  const random = seededRandom(SEED + n);
  const int = (max: number) => Math.floor(random() * max);
  const customerIds = Array.from({ length: Math.ceil(n / 3) }, () => seededId('cus', random));
  const invoiceDays = Array.from({ length: 120 }, (_, i) => isoDay('2026-01-01', i));
  const paidDays = Array.from({ length: 30 }, (_, i) => isoDay('2026-05-01', i));
  const invoices: OutstandingInvoice[] = Array.from({ length: n }, () => ({
    id: seededId('inv', random),
    customerId: customerIds[int(customerIds.length)],
    date: invoiceDays[int(invoiceDays.length)],
    amountDueMinor: (5 + int(2_000)) * 100 + (random() < 0.3 ? int(100) : 0),
    onPaymentPlan: random() < 0.05,
  }));
  const payments: BpayPayment[] = Array.from({ length: n }, () => {
    const kind = random();
    const invoice = invoices[int(n)];
    const base = { id: seededId('pay', random), paidDate: paidDays[int(paidDays.length)] };
    if (kind < 0.45) return { ...base, customerId: invoice.customerId, amountMinor: invoice.amountDueMinor };
    if (kind < 0.75) return { ...base, customerId: invoice.customerId, amountMinor: 1 + int(Math.floor(invoice.amountDueMinor * 1.8)) };
    if (kind < 0.9) return { ...base, customerId: invoice.customerId, amountMinor: (5_000 + int(20_000)) * 100 };
    return { ...base, customerId: seededId('cus', random), amountMinor: (10 + int(500)) * 100 };
  });
  // As the upload workflow receives them: activity results arrive as JSON (flat strings, uniform objects).
  return JSON.parse(JSON.stringify({ payments, invoices })) as { payments: BpayPayment[]; invoices: OutstandingInvoice[] };
}

const rssMB = () => process.memoryUsage().rss / 1_048_576;
const round = (x: number, places: number) => Number(x.toFixed(places));

export async function matchingBenchmark(): Promise<Record<string, unknown>> {
  const sizes = [];
  const plans = [];
  const bests: number[] = [];
  for (const n of SIZES) {
    const { payments, invoices } = generate(n);
    let peak = rssMB();
    const opts = { maxPrepayments: MAX_PREPAYMENTS_PER_NIGHT };
    planBpayUpload(payments, invoices, opts); // warm-up: let the JIT compile the hot paths
    let best = Infinity;
    let plan: UploadPlan | undefined;
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      plan = planBpayUpload(payments, invoices, opts);
      best = Math.min(best, (performance.now() - started) / 1000);
      peak = Math.max(peak, rssMB());
    }
    bests.push(best);
    sizes.push({ payments: n, invoices: n, seconds: round(best, 4), peakRssMB: round(peak, 1) });
    plans.push({
      payments: n,
      applications: plan!.applications.length,
      prepayments: plan!.prepayments.length,
      deferred: plan!.deferred.length,
    });
  }
  const growth = bests[1] / bests[0];
  const nLogNRatio = (1e5 * Math.log(1e5)) / (1e4 * Math.log(1e4));
  return {
    sizes,
    growth: round(growth, 3),
    nLogNRatio,
    maxPrepayments: MAX_PREPAYMENTS_PER_NIGHT,
    plans,
    targets: {
      under1sAt100k: bests[1] < 1,
      // Allows for noise: a 10k run takes milliseconds, where a timer tick or a GC pause shows.
      growthNoWorseThanNLogN: growth <= 1.5 * nLogNRatio,
    },
  };
}
