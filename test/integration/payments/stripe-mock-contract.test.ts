// The Stripe requests Settle's SDK client sends, checked against stripe-mock (Stripe's own server answering from its
// OpenAPI spec, so an unknown parameter, a wrong type or enum value is a 400 there as it would be at Stripe). The real
// flows run against the Stripe emulator, which logs every request as it arrived: connected account and account link
// (onboarding), payment intents (Pay Now), refunds, payouts and balance transactions (the payout workflow); each is
// then sent again, as is (method, path, query, form body, Stripe-Account), to stripe-mock. stripe-mock is found or
// built with Go (lib/stripe/stripe-mock.ts); without Go the test is skipped and says why.
import { spawn, type ChildProcess } from 'node:child_process';
import { findStripeMock } from '../../../lib/stripe/stripe-mock';
import { freePort } from '../../../lib/net';
import { payoutWorkflowId } from '../../../workflows/payouts/definitions';
import { refundWorkflowId } from '../../../workflows/refunds/definitions';
import { eventually } from '../../support/eventually';
import { onPath } from '../../../lib/temporal/binaries';
import { setUpQuoteMerchant, startQuoteWorld, type QuoteWorld } from '../../support/quotes';
import { payInvoiceByCard, xeroBooks } from '../../support/refunds';

const haveGo = Boolean(process.env.STRIPE_MOCK_PATH || onPath('stripe-mock') || onPath('go'));
if (!haveGo) process.stderr.write('[stripe-mock] SKIPPED: Go is not installed (and no STRIPE_MOCK_PATH or stripe-mock on PATH), so stripe-mock cannot be built; the SDK requests are not checked against it\n');
const maybe = haveGo ? it : it.skip;

let world: QuoteWorld | undefined;
let mock: ChildProcess | undefined;
afterAll(async () => {
  mock?.kill();
  await world?.close();
});

async function startStripeMock(): Promise<string> {
  const binary = await findStripeMock();
  if (!binary) throw new Error('Go is present but stripe-mock could not be built');
  const port = await freePort();
  mock = spawn(binary, ['-http-port', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await eventually('stripe-mock listening', () => fetch(`${url}/v1/balance`, { headers: { authorization: 'Bearer sk_test_123' } }).then((r) => r.status, () => 0), (s) => s === 200, { timeoutMs: 60_000, everyMs: 200 });
  return url;
}

maybe('sends only requests Stripe accepts: accounts, account links, payment intents, refunds, payouts, balance transactions', async () => {
  const mockUrl = await startStripeMock();
  world = await startQuoteWorld({ connectWebhook: true });
  const m = await setUpQuoteMerchant(world);
  const paid = await payInvoiceByCard(xeroBooks(world), m, 5_000);
  const refund = await m.merchant('POST', `/v1/payments/${paid.paymentId}/refunds`, { body: { amount: '10.00', reason: 'requested_by_customer' }, headers: { 'Idempotency-Key': 'mock-refund' } });
  await world.stack.client.workflow.getHandle(refundWorkflowId(m.merchantId, refund.body.id)).result();
  const payout = world.stripe.emu.payout(m.stripeAccountId, 'usd');
  const handle = world.stack.client.workflow.getHandle(payoutWorkflowId(m.merchantId, payout.id));
  await eventually('payout workflow started', async () => handle.describe().then(() => true, () => false), (ok) => ok).then(() => handle.result());

  const sent = world.stripe.emu.requests.filter((r) => r.status < 400);
  const refused: string[] = [];
  for (const r of sent) {
    const res = await fetch(`${mockUrl}${r.path}${r.query ? `?${r.query}` : ''}`, {
      method: r.method,
      headers: { authorization: 'Bearer sk_test_123', 'content-type': 'application/x-www-form-urlencoded', ...(r.stripeAccount ? { 'stripe-account': r.stripeAccount } : {}) },
      ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { body: r.body }),
    });
    if (res.status >= 400) refused.push(`${r.method} ${r.path}?${r.query} ${r.body}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  }
  expect(refused).toEqual([]);
  const covered = new Set(sent.map((r) => `${r.method} ${r.path.replace(/\/(acct|pi|re|po|ch|cus|pm|txn)_[A-Za-z0-9]+/g, '/{id}')}`));
  for (const must of ['POST /v1/accounts', 'POST /v1/account_links', 'POST /v1/payment_intents', 'POST /v1/refunds', 'GET /v1/payouts/{id}', 'GET /v1/balance_transactions']) {
    expect([...covered]).toContain(must);
  }
  process.stderr.write(`[stripe-mock] ${sent.length} requests checked: ${[...covered].sort().join(', ')}\n`);
}, 240_000);
