// Xero misbehaving for a whole upload: 20% of requests answered 503, a burst of 429s (with Retry-After) every 25
// requests or so, and some requests hanging 2 seconds before they answer. Nothing is posted twice, everything completes,
// and the run's retry counts are reported (what the emulator injected; the activity attempts in the histories).

import { startQuoteWorld, type QuoteWorld } from '../support/quotes';
import { activityRetries, connectedMerchant, expectEachPostedOnce, FULL, seedInvoices, takePayments } from './support';

const PAYMENTS = FULL ? 300 : 40;

let world: QuoteWorld;
beforeAll(async () => {
  world = await startQuoteWorld({ roles: ['workflows', 'wise-pay'] });
});
afterAll(() => world.close());

it(`posts ${PAYMENTS} payments once each under 20% 5xx, 429 bursts and 2-second hangs`, async () => {
  const { merchantId, api } = await connectedMerchant(world);
  const invoiceIds = await seedInvoices(world, PAYMENTS);
  const faults = () => ({ errorRate: 0.2, timeout: { rate: 0.05, ms: 2_000 }, rateLimitBurst: { count: 5, retryAfterSeconds: 1 } });
  world.xero.emu.faults.set(faults(), 1);
  let seed = 1;
  // A new burst once 25 more requests have come since the last: paced by the traffic, not the clock, so a slow
  // (loaded) machine does not see mostly bursts and back off for minutes.
  let armedAt = world.xero.emu.stats.requests;
  const bursts = setInterval(() => {
    if (world.xero.emu.stats.requests - armedAt < 25) return;
    armedAt = world.xero.emu.stats.requests;
    world.xero.emu.faults.set(faults(), ++seed);
  }, 1_000);
  try {
    const paymentIds = await takePayments({ merchantId, api, invoiceIds });
    const run = { merchantId, api, invoiceIds, paymentIds };
    await expectEachPostedOnce(world, run);
    const counts = world.xero.emu.faults.counts;
    // The faults really happened: a run that injected nothing would prove nothing.
    expect(counts.errors).toBeGreaterThan(0);
    expect(counts.rateLimited).toBeGreaterThan(0);
    expect(counts.timedOut).toBeGreaterThan(0);
    const retries = await activityRetries(world, run);
    const puts = world.xero.emu.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/Payments')).length;
    process.stderr.write(`[chaos] emulator faults: ${PAYMENTS} payments; injected ${JSON.stringify(counts)}; ${puts} PUT /Payments sent; `
      + `${world.xero.emu.idempotency.replays} idempotent replays; activity retries ${JSON.stringify(retries)}\n`);
  } finally {
    clearInterval(bursts);
    world.xero.emu.faults.clear();
  }
}, FULL ? 600_000 : 240_000);

