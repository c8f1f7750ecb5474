// The world a quote payment test needs: the real stack (Temporal, Postgres, workers, API), a Xero emulator the
// merchant's wise-pay connection points at, a Stripe emulator, and a merchant set up the way a merchant does it
// through the API: payment methods enabled, the CPQ integration on with its key, a webhook subscription.
import { randomBytes } from 'node:crypto';
import type { PaymentMethodKind } from '../../lib/quotes/methods';
import type { WorkerRole } from '../../lib/task-queues';
import type { WorkflowHandle } from '@temporalio/client';
import { quotePaymentStateQuery, type QuotePaymentState, type QuotePaymentStatus, type QuotePaymentTiming, type SettlementTiming } from '../../workflows/quotes/definitions';
import { xeroConsentEndpoint } from './consent';
import { eventually } from './eventually';
import { httpClient } from './http';
import { runWorkerProcess, type RunningProcess, xeroWorkerEnv } from './processes';
import { createTestMerchant } from './merchants';
import type { MailConfig } from '../../lib/mail/transport';
import { startTestStack, type TestStack } from './stack';
import { onboardStripeAccount, startStripe, type StripeFixture } from './stripe';
import { startXero, type XeroFixture } from './xero';

export const CONNECT_WEBHOOK_SECRET = `whsec_connect${randomBytes(12).toString('hex')}`;

export const TEST_QUOTE_TIMING: QuotePaymentTiming = { abandonAfterMs: 60_000, downpaymentCheckEveryMs: 60_000, downpaymentGiveUpAfterMs: 3_600_000 };

export interface QuoteWorld {
  stack: TestStack;
  xero: XeroFixture;
  stripe: StripeFixture;
  close(): Promise<void>;
}

/**
 * `connectWebhook`: the platform's Connect endpoint is registered at the emulator (every connected account's events,
 * signed with its own secret, to /webhooks/stripe/connect).
 * `consent`: Settle's Xero app is registered at the emulator, so a merchant can (re)connect through the consent flow.
 */
/**
 * `stripeJs`: the payer pages use the real-Stripe checkout, loading the Stripe emulator's small Stripe.js (not sandbox mode).
 */
export async function startQuoteWorld(opts: { timing?: QuotePaymentTiming; settlementTiming?: SettlementTiming; roles?: readonly WorkerRole[]; mail?: MailConfig & { pollMs?: number; wake?: boolean }; connectWebhook?: boolean; consent?: boolean; stripeJs?: boolean } = {}): Promise<QuoteWorld> {
  // Xero's limits with the minute scaled to a second (Settle's budget and the emulator agree): tests make far more
  // calls a minute than a merchant would, and pacing is not what they test.
  const clock = { minuteMs: 1_000, dayMs: 86_400_000 };
  const [xero, stripe] = await Promise.all([startXero({ limits: { minuteMs: clock.minuteMs } }), startStripe()]);
  const endpoint = opts.consent ? xeroConsentEndpoint(xero.emu) : { apiBase: xero.emu.apiBasePath, tokenUrl: xero.emu.tokenUrl, clientId: 'settle', clientSecret: 'secret' };
  const stack = await startTestStack({
    endpoints: { xero: endpoint, quickbooks: endpoint },
    stripe: { stripe: stripe.stripe, publishableKey: stripe.publishableKey, ...(opts.connectWebhook ? { connectWebhookSecret: CONNECT_WEBHOOK_SECRET } : {}) },
    ...(opts.stripeJs ? { stripeJs: { scriptUrl: `${stripe.emu.url}/_emulator/js/v3`, apiOrigin: stripe.emu.url } } : {}),
    clock,
    quoteTiming: opts.timing ?? TEST_QUOTE_TIMING,
    settlementTiming: opts.settlementTiming,
    ...(opts.roles ? { roles: opts.roles } : {}),
    ...(opts.mail ? { mail: opts.mail } : {}),
  });
  if (opts.connectWebhook) stripe.emu.addWebhookEndpoint(`${stack.api!.url}/webhooks/stripe/connect`, CONNECT_WEBHOOK_SECRET, { connect: true });
  return {
    stack, xero, stripe,
    async close() {
      await stack.close();
      await Promise.all([xero.close(), stripe.close()]);
    },
  };
}

/**
 * The wise-pay worker as its own process (the production entry point) against this world's emulators, for tests
 * that kill it: start the world without the 'wise-pay' role.
 */
export function wisePayWorkerProcess(world: QuoteWorld): RunningProcess {
  const { stack, xero, stripe } = world;
  return runWorkerProcess(stack, 'wise-pay', { STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_API_BASE: stripe.emu.url, ...xeroWorkerEnv(xero.emu) });
}

export interface QuoteMerchant {
  merchantId: string;
  /** The merchant's own Stripe account (Connect), onboarded: every payment of the merchant is made on it. */
  stripeAccountId: string;
  stripeWebhookSecret: string;
  apiKey: string;
  cpqKey: string;
  /** Requests with the merchant's key. */
  merchant: ReturnType<typeof httpClient>;
  /** Requests with the CPQ key, as ConnectWise CPQ sends them. */
  cpq: ReturnType<typeof httpClient>;
}

/** A merchant connected to the world's Xero organisation, with the CPQ integration on. */
export async function setUpQuoteMerchant(
  world: QuoteWorld,
  opts: { methods?: PaymentMethodKind[]; cpqMethods?: PaymentMethodKind[]; stripeWebhook?: boolean; onboardStripe?: boolean } = {},
): Promise<QuoteMerchant> {
  const { stack, xero } = world;
  const { merchantId, apiKey } = await createTestMerchant(stack, `Quote MSP ${randomBytes(3).toString('hex')}`);
  const merchant = httpClient(stack.api!.url, apiKey);
  // Each merchant's grant is its own app's, as separate merchants' connections are: their limits are their own.
  const tokens = xero.emu.oauth.issue(xero.tenantId, `settle-${merchantId}`);
  await stack.accounting.connections.connect(merchantId, 'wise-pay', { platform: 'xero', tenantId: xero.tenantId, tokens });
  const expectOk = (r: { status: number; body: any }, what: string) => {
    if (r.status >= 300) throw new Error(`${what} failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  };
  expectOk(await merchant('PUT', '/v1/payment-methods', { body: { methods: opts.methods ?? ['card', 'bank_debit'] } }), 'enabling methods');
  expectOk(await merchant('PUT', '/v1/integrations/cpq', { body: { enabled: true, allowedMethods: opts.cpqMethods ?? ['card', 'bank_debit'] } }), 'enabling CPQ');
  const cpqKey = expectOk(await merchant('POST', '/v1/integrations/cpq/api-key'), 'generating the CPQ key').body.apiKey as string;
  // The merchant's own Stripe account, onboarded through Settle and Stripe's hosted page (not yet, when asked).
  const stripeAccountId = await onboardStripeAccount(stack.api!.url, apiKey, { complete: opts.onboardStripe !== false });
  // Stripe sends this merchant's events to the endpoint made on its own account, signed with the secret the merchant stored.
  const signingSecret = `whsec_${randomBytes(18).toString('hex')}`;
  const webhook = expectOk(await merchant('PUT', '/v1/integrations/stripe/webhook', { body: { signingSecret } }), 'configuring the Stripe webhook');
  if (opts.stripeWebhook !== false) world.stripe.emu.addWebhookEndpoint(webhook.body.url, signingSecret, { account: stripeAccountId });
  return { merchantId, stripeAccountId, apiKey, cpqKey, stripeWebhookSecret: signingSecret, merchant, cpq: httpClient(stack.api!.url, cpqKey) };
}

let quoteSeq = 0;

/** What CPQ sends on "Accept and Pay"; override any field. */
export function acceptBody(overrides: Record<string, unknown> = {}) {
  return {
    quoteId: `Q-${Date.now().toString(36)}-${++quoteSeq}`,
    revision: 1,
    customer: { company: `Contoso ${randomBytes(3).toString('hex')} Pty Ltd`, name: 'Dana Payer', email: 'dana@contoso.example' },
    oneTime: { amount: '1250.00', currency: 'USD' },
    returnUrl: 'https://cpq.example/quotes/return',
    ...overrides,
  };
}

/** The quote payment's workflow state once it reaches `status` (and `extra`, if given). */
export function untilQuoteStatus(handle: WorkflowHandle, status: QuotePaymentStatus, extra: (s: QuotePaymentState) => boolean = () => true): Promise<QuotePaymentState> {
  return eventually(`quote payment ${handle.workflowId} ${status}`, () => handle.query(quotePaymentStateQuery), (s) => s.status === status && extra(s));
}
