// A Stripe emulator and a real stripe SDK client pointed at it (built the way Settle builds its own), for the
// payment tests. Each fixture has its own secret key, so its objects form their own account in the emulator; and a
// tiny local webhook endpoint that records what Stripe (the emulator) delivers.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import { createStripeClient } from '../../activities/stripe/client';
import { completeAccountLink, startStripeEmulator, type StripeEmulator, type StripeEmulatorOptions } from '../../emulators/stripe';
import { httpClient } from './http';

export interface StripeFixture {
  emu: StripeEmulator;
  secretKey: string;
  /** The publishable key of the same account, as a payer's browser (Stripe.js) would use it. */
  publishableKey: string;
  stripe: Stripe;
  /** A client for another key of the same emulator (another account, or the publishable key). */
  clientFor(key: string, opts?: { maxNetworkRetries?: number }): Stripe;
  /** The fixture's account in the emulator. */
  account(): ReturnType<StripeEmulator['state']['account']>;
  close(): Promise<void>;
}

export async function startStripe(opts: StripeEmulatorOptions = {}): Promise<StripeFixture> {
  const emu = await startStripeEmulator(opts);
  const suffix = randomBytes(12).toString('hex');
  const secretKey = `sk_test_${suffix}`;
  const clientFor = (key: string, extra: { maxNetworkRetries?: number } = {}) => createStripeClient({ secretKey: key, apiBase: emu.url, ...extra });
  return {
    emu,
    secretKey,
    publishableKey: `pk_test_${suffix}`,
    stripe: clientFor(secretKey),
    clientFor,
    account: () => emu.state.account(secretKey),
    close: () => emu.close(),
  };
}

export interface WebhookReceiver {
  url: string;
  /** What arrived, in order: the raw body (what constructEvent must be given) and the Stripe-Signature header. */
  received: { body: string; signature: string; headers: http.IncomingHttpHeaders }[];
  /** Answer the next N deliveries with a 500 (to see Stripe's retries). */
  failNext: number;
  close(): Promise<void>;
}

/** A tiny webhook endpoint on loopback that records each delivery as it came. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = { url: '', received: [], failNext: 0, close: async () => undefined };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (receiver.failNext > 0) {
      receiver.failNext--;
      res.writeHead(500).end();
      return;
    }
    receiver.received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['stripe-signature'] ?? ''), headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`;
  receiver.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return receiver;
}

/**
 * The merchant's Stripe account onboarded the way a merchant does it: Settle creates the connected account and
 * answers an onboarding link, the merchant submits Stripe's (the emulator's) hosted page, and the browser comes back
 * to Settle's return URL, where Settle reads the account. Answers the connected account's id.
 */
export async function onboardStripeAccount(apiUrl: string, apiKey: string, opts: { complete?: boolean } = {}): Promise<string> {
  const started = await httpClient(apiUrl, apiKey)('POST', '/v1/integrations/stripe/account');
  if (started.status !== 201 && started.status !== 200) throw new Error(`creating the Stripe account failed: ${started.status} ${JSON.stringify(started.body)}`);
  const returnUrl = await completeAccountLink(started.body.onboardingUrl, opts.complete === false ? 'later' : 'submit');
  const back = await fetch(returnUrl);
  if (back.status !== 200) throw new Error(`Settle's onboarding return page answered ${back.status}`);
  await back.arrayBuffer();
  return started.body.accountId as string;
}
