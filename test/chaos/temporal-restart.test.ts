// The Temporal server restarts (its database persisted in a file) in the middle of a payment upload: workers and
// clients reconnect, and nothing is lost — every workflow completes and each payment is posted exactly once.
import { eventually } from '../support/eventually';
import { startQuoteWorld, type QuoteWorld } from '../support/quotes';
import { ownTemporal, type Restartable } from './restarts';
import { connectedMerchant, expectEachPostedOnce, FULL, seedInvoices, takePayments } from './support';

const PAYMENTS = FULL ? 200 : 60;

let temporal: Restartable;
let world: QuoteWorld;
beforeAll(async () => {
  temporal = await ownTemporal();
  world = await startQuoteWorld({ roles: ['workflows', 'wise-pay'] });
}, 120_000);
afterAll(async () => {
  await world?.close();
  temporal?.unpublish();
  await temporal?.stop();
});

it('loses nothing when the Temporal server restarts mid-run', async () => {
  const { merchantId, api } = await connectedMerchant(world);
  const invoiceIds = await seedInvoices(world, PAYMENTS);
  world.xero.emu.faults.set({ latencyMs: 50 });
  const paymentIds = await takePayments({ merchantId, api, invoiceIds });
  const posted = () => world.xero.emu.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/Payments') && r.status === 200).length;
  await eventually('a third of the payments posted', async () => posted(), (n) => n >= PAYMENTS / 3, { timeoutMs: 120_000, everyMs: 20 });
  const before = posted();
  await temporal.stop();
  await new Promise((r) => setTimeout(r, 3_000));
  await temporal.start();
  world.xero.emu.faults.clear();
  await expectEachPostedOnce(world, { merchantId, api, invoiceIds, paymentIds });
  process.stderr.write(`[chaos] temporal restart: ${PAYMENTS} payments, restarted after ${before} were posted\n`);
}, FULL ? 600_000 : 240_000);
