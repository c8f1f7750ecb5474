// Postgres restarts in the middle of a payment upload. While it is down the API answers 503 problem+json (retry
// later), never a 500 and never a hang; after it is back the API answers again, and nothing is lost: every workflow
// completes (its activities retried), each payment is recorded once and posted once.
import { eventually } from '../support/eventually';
import { startQuoteWorld, type QuoteWorld } from '../support/quotes';
import { ownPostgres, type Restartable } from './restarts';
import { connectedMerchant, expectEachPostedOnce, FULL, seedInvoices, takePayments } from './support';

const PAYMENTS = FULL ? 200 : 60;

let postgres: Restartable;
let world: QuoteWorld;
beforeAll(async () => {
  postgres = await ownPostgres();
  world = await startQuoteWorld({ roles: ['workflows', 'wise-pay'] });
}, 120_000);
afterAll(async () => {
  await world?.close();
  postgres?.unpublish();
  await postgres?.stop();
});

it('answers 503 while Postgres is down, then recovers with nothing lost', async () => {
  const { merchantId, api } = await connectedMerchant(world);
  const invoiceIds = await seedInvoices(world, PAYMENTS);
  world.xero.emu.faults.set({ latencyMs: 50 });
  const half = Math.floor(PAYMENTS / 2);
  const first = await takePayments({ merchantId, api, invoiceIds: invoiceIds.slice(0, half) });
  const posted = () => world.xero.emu.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/Payments') && r.status === 200).length;
  await eventually('some payments posted', async () => posted(), (n) => n >= half / 3, { timeoutMs: 120_000, everyMs: 20 });

  await postgres.stop();
  for (const [method, path, body] of [
    ['GET', `/v1/payments/${first[0]}`, undefined],
    ['POST', '/v1/payments', { amount: '1.00', currency: 'AUD', reference: 'while down' }],
  ] as const) {
    const res = await api(method, path, { body });
    expect({ method, status: res.status, type: res.headers.get('content-type') }).toEqual({ method, status: 503, type: expect.stringContaining('application/problem+json') });
    expect(res.body).toMatchObject({ type: '/problems/not-ready', detail: expect.stringMatching(/unavailable/) });
  }
  // Payments keep arriving during the outage: the client retries each (same Idempotency-Key) until Postgres is back.
  const rest = takePayments({ merchantId, api, invoiceIds: invoiceIds.slice(half) }, { retryFor: 120_000 });
  await new Promise((r) => setTimeout(r, 3_000));
  await postgres.start();
  const second = await rest;
  world.xero.emu.faults.clear();
  await expectEachPostedOnce(world, { merchantId, api, invoiceIds, paymentIds: [...first, ...second] });
  expect((await api('GET', `/v1/payments/${first[0]}`)).status).toBe(200);
}, FULL ? 600_000 : 240_000);
