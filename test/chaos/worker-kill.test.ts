// kill -9 of the wise-pay worker (the production entry point, as its own process) while a payment upload posts to
// Xero: three times in the full run (500 payments), once in CI's slice (100). A new worker takes over each time;
// the activities the dead one held are retried after their timeouts with the same idempotency keys, so every
// payment is posted exactly once and every workflow completes.
import type { RunningProcess } from '../support/processes';
import { startQuoteWorld, type QuoteWorld, wisePayWorkerProcess } from '../support/quotes';
import { connectedMerchant, expectEachPostedOnce, FULL, progressTo, seedInvoices, takePayments } from './support';

const PAYMENTS = FULL ? 500 : 100;
const KILLS = FULL ? 3 : 1;
// Xero's 60 calls a minute per tenant pace the drain (500 postings take over 7 minutes): the waits below fail on a
// stall, not on a deadline.

let world: QuoteWorld;
const running: RunningProcess[] = [];

beforeAll(async () => {
  // No wise-pay worker in this process: the test runs it as a process it can kill.
  world = await startQuoteWorld({ roles: ['workflows', 'company', 'service'] });
});
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop('SIGKILL')));
  await world.close();
});

async function startWisePayWorker(): Promise<RunningProcess> {
  const worker = wisePayWorkerProcess(world);
  running.push(worker);
  await worker.waitForOutput(/"msg":"worker started"/);
  return worker;
}

it(`posts ${PAYMENTS} payments exactly once through ${KILLS} kill -9 of the worker`, async () => {
  const { merchantId, api } = await connectedMerchant(world);
  const invoiceIds = await seedInvoices(world, PAYMENTS);
  const posted = () => world.xero.emu.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/Payments') && r.status === 200).length;
  // Slow Xero a little so kills land while postings are in flight, not between them.
  world.xero.emu.faults.set({ latencyMs: 50 });
  let worker = await startWisePayWorker();
  const paymentIds = await takePayments({ merchantId, api, invoiceIds });
  const pauses: number[] = [];
  for (let k = 1; k <= KILLS; k++) {
    const progress = await progressTo(`${k}/${KILLS + 1} of the payments posted`, posted, (PAYMENTS * k) / (KILLS + 1));
    if (k > 1) pauses.push(progress.longestPauseMs); // the pause after the previous kill, before postings resumed
    await worker.stop('SIGKILL');
    worker = await startWisePayWorker();
  }
  pauses.push((await progressTo('all payments posted', posted, PAYMENTS)).longestPauseMs);
  await expectEachPostedOnce(world, { merchantId, api, invoiceIds, paymentIds });
  process.stderr.write(`[chaos] worker kill: ${PAYMENTS} payments, ${KILLS} kills, ${posted()} PUT /Payments answered, ${world.xero.emu.idempotency.replays} idempotent replays, longest pause without a posting between kills (Xero's rolling minute lets postings through in bursts of 60) ${pauses.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}\n`);
  world.xero.emu.faults.clear();
}, FULL ? 1_200_000 : 150_000);
