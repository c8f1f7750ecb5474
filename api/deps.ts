// What the API needs from the outside world; tests build it from the real test stack.
import type { Client } from '@temporalio/client';
import type Stripe from 'stripe';
import type { AccountingServices } from '../activities/accounting/services';
import type { Db } from '../db/database';
import type { Keyring } from '../lib/crypto/sealed-box';
import type { Logger } from '../lib/logger';
import type { CodecEndpointOptions } from './codec';
import type { StripeJsSource } from './pay-now/layout';
import type { ApiKeyCache } from './middleware/api-key-cache';
import type { AuthFailureLimits } from './middleware/auth-failures';
import type { SourceFetchRetry } from '../workflows/billing-sync/definitions';
import type { QuotePaymentTiming, SettlementTiming } from '../workflows/quotes/definitions';

export interface ApiDeps {
  db: Db;
  /** Which merchant each API key belongs to, kept current by Postgres notifications (one per API process). */
  apiKeys: ApiKeyCache;
  temporal: Client;
  accounting: AccountingServices;
  log: Logger;
  /** Task queue prefix of the workers this API starts workflows for. */
  taskQueuePrefix: string;
  adminApiKey: string;
  maxBodyBytes: number;
  /** Seals and opens secrets and personal data at rest. */
  keyring: Keyring;
  /** Stripe, or the local emulator in sandbox mode and tests. */
  stripe: Stripe;
  /** What the browser uses to confirm a payment (Stripe.js); in sandbox mode the emulator takes it too. */
  stripePublishableKey?: string;
  /**
   * Where the real-Stripe checkout loads Stripe.js from and the API it talks to (default js.stripe.com/v3 and
   * api.stripe.com). Tests point it at the Stripe emulator's small Stripe.js; nothing else should change it.
   */
  stripeJs?: StripeJsSource;
  /** The Connect endpoint's signing secret (`POST /webhooks/stripe/connect`); unset, that endpoint refuses every event. */
  stripeConnectWebhookSecret?: string;
  /** The platform key is a live one: connected accounts are live, and only live Connect events apply (default test). */
  stripeLivemode?: boolean;
  /** Where payers reach the Pay Now pages: links handed to CPQ and put in emails start with it. */
  publicUrl: string;
  /** Sandbox mode: Pay Now offers the sandbox checkout (choose success, decline, bank debit) in place of Stripe.js. */
  sandbox: boolean;
  /** The Temporal Web UI's codec endpoint (/codec): the ops token and the UI's origins. Absent: it refuses everyone. */
  codec?: CodecEndpointOptions;
  /** Where the merchant console's build is (default console/dist). */
  consoleDist?: string;
  /** The Temporal Web UI, for the console's links to a payment's workflow (absent: no links). */
  temporalUiUrl?: string;
  /** Failed authentications allowed per address and per key in a window (default: 20 per 5 minutes). */
  authFailureLimits?: AuthFailureLimits;
  /** Timers of new quote payments (abandoned checkout, downpayment checks); tests shorten them. */
  quoteTiming?: QuotePaymentTiming;
  /** How long a new billing-sync run keeps trying to read its source before it fails; tests shorten it. */
  billingSourceRetry?: SourceFetchRetry;
  /** Bank-debit settlement windows of new quote payments; tests shorten them. */
  settlementTiming?: SettlementTiming;
}
