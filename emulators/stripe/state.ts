// What a Stripe account holds, in the shapes Stripe answers with. Accounts are per API key (the part after
// `sk_test_` / `pk_test_`), so two merchants' keys never see each other's objects, and a publishable key opens
// the account of the secret key with the same suffix, as a real key pair shares its account. A platform's
// connected accounts (Stripe Connect) are accounts of their own, reached with the platform's key and the
// `Stripe-Account` header: what one holds is invisible to the platform and to every other account.
import { createHash, randomBytes } from 'node:crypto';
import type { PaymentMethodOutcome } from './test-payment-methods';

interface StripeObject {
  id: string;
  object: string;
  created: number;
  livemode: false;
}

export interface StripeCustomer extends StripeObject {
  object: 'customer';
  name: string | null;
  email: string | null;
  phone: string | null;
  description: string | null;
  metadata: Record<string, string>;
}

export type PaymentMethodType = 'card' | 'us_bank_account' | 'au_becs_debit';

export interface StripePaymentMethod extends StripeObject {
  object: 'payment_method';
  type: PaymentMethodType;
  customer: string | null;
  billing_details: { address: null; email: string | null; name: string | null; phone: string | null };
  card?: { brand: string; last4: string; exp_month: number; exp_year: number; funding: string; country: string };
  us_bank_account?: { last4: string; bank_name: string; routing_number: string; account_type: 'checking'; account_holder_type: 'individual' };
  au_becs_debit?: { last4: string; bsb_number: string };
  metadata: Record<string, string>;
}

export type PaymentIntentStatus =
  | 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'succeeded' | 'canceled';

export interface StripePaymentIntent extends StripeObject {
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  customer: string | null;
  description: string | null;
  client_secret: string;
  capture_method: 'automatic';
  confirmation_method: 'automatic';
  payment_method: string | null;
  /** As the caller gave them (stripe-node 23), or null; payment_method_types are the ones that fit the currency. */
  allowed_payment_method_types: PaymentMethodType[] | null;
  payment_method_types: PaymentMethodType[];
  automatic_payment_methods: { enabled: true; allow_redirects: 'always' } | null;
  setup_future_usage: 'off_session' | 'on_session' | null;
  status: PaymentIntentStatus;
  latest_charge: string | null;
  last_payment_error: Record<string, unknown> | null;
  next_action: null;
  canceled_at: number | null;
  cancellation_reason: string | null;
  /** Direct charges on a connected account: what the platform takes of each payment. */
  application_fee_amount: number | null;
  metadata: Record<string, string>;
}

export interface StripeCharge extends StripeObject {
  object: 'charge';
  amount: number;
  amount_refunded: number;
  refunded: boolean;
  application_fee_amount: number | null;
  /** The charge's balance transaction once it succeeded (payments in, fees out). */
  balance_transaction: string | null;
  currency: string;
  customer: string | null;
  payment_intent: string;
  payment_method: string;
  status: 'pending' | 'succeeded' | 'failed';
  paid: boolean;
  disputed: boolean;
  failure_code: string | null;
  failure_message: string | null;
  metadata: Record<string, string>;
}

export interface StripeDispute extends StripeObject {
  object: 'dispute';
  amount: number;
  currency: string;
  charge: string;
  payment_intent: string;
  reason: string;
  status: 'needs_response';
  metadata: Record<string, string>;
}

export type RefundStatus = 'pending' | 'succeeded' | 'failed' | 'canceled';

export interface StripeRefund extends StripeObject {
  object: 'refund';
  amount: number;
  currency: string;
  charge: string;
  payment_intent: string;
  reason: 'duplicate' | 'fraudulent' | 'requested_by_customer' | null;
  status: RefundStatus;
  failure_reason: string | null;
  balance_transaction: string | null;
  metadata: Record<string, string>;
}

export interface StripeFeeDetail {
  type: 'stripe_fee' | 'application_fee';
  amount: number;
  currency: string;
  description: string;
  application: string | null;
}

export interface StripeBalanceTransaction {
  id: string;
  object: 'balance_transaction';
  created: number;
  available_on: number;
  amount: number;
  currency: string;
  fee: number;
  fee_details: StripeFeeDetail[];
  net: number;
  type: 'charge' | 'payment' | 'refund' | 'payment_failure_refund' | 'payout' | 'adjustment';
  reporting_category: 'charge' | 'refund' | 'payout' | 'refund_failure';
  source: string;
  status: 'available' | 'pending';
  description: string | null;
  /** Not a Stripe field: the payout that carried it to the bank (what `?payout=` filters on). */
  payout?: string | null;
}

export interface StripePayout extends StripeObject {
  object: 'payout';
  amount: number;
  currency: string;
  arrival_date: number;
  automatic: boolean;
  balance_transaction: string;
  destination: string;
  method: 'standard';
  status: 'pending' | 'in_transit' | 'paid' | 'failed' | 'canceled';
  type: 'bank_account';
  metadata: Record<string, string>;
}

/** A connected account as `GET /v1/accounts/{id}` shows it. */
export interface StripeAccountObject {
  id: string;
  object: 'account';
  created: number;
  type: 'standard' | 'express' | 'custom' | 'none';
  controller: {
    type: 'application';
    is_controller: true;
    fees: { payer: 'account' | 'application' | 'application_express' | 'application_custom' };
    losses: { payments: 'stripe' | 'application' };
    requirement_collection: 'stripe' | 'application';
    stripe_dashboard: { type: 'full' | 'express' | 'none' };
  };
  country: string;
  default_currency: string;
  email: string | null;
  business_profile: { name: string | null; url: string | null };
  details_submitted: boolean;
  charges_enabled: boolean;
  payouts_enabled: boolean;
  requirements: { currently_due: string[]; eventually_due: string[]; past_due: string[]; pending_verification: string[]; disabled_reason: string | null; current_deadline: number | null };
  metadata: Record<string, string>;
}

export interface StripeEvent {
  id: string;
  object: 'event';
  /** Connect: the connected account the event happened on (absent for the platform's own events). */
  account?: string;
  api_version: string;
  created: number;
  livemode: false;
  type: string;
  data: { object: unknown };
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
}

/** A payment method and what confirming with it does (never sent: Stripe's test ids decide it on its side). */
export interface StoredPaymentMethod {
  pm: StripePaymentMethod;
  outcome: PaymentMethodOutcome;
  /** Confirmed once without being attached to a customer: Stripe refuses to use it again. */
  used: boolean;
}

/** The default API version of stripe-node 23.1.0, which Stripe stamps on the events of an account. */
export const API_VERSION = '2026-10-28.endive';

const ALPHANUMERIC = /[^A-Za-z0-9]/g;
export function newId(prefix: string, length = 24): string {
  return `${prefix}_${randomBytes(length * 2).toString('base64').replace(ALPHANUMERIC, '').slice(0, length)}`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export class StripeAccount {
  readonly customers = new Map<string, StripeCustomer>();
  readonly paymentMethods = new Map<string, StoredPaymentMethod>();
  readonly paymentIntents = new Map<string, StripePaymentIntent>();
  readonly charges = new Map<string, StripeCharge>();
  readonly disputes = new Map<string, StripeDispute>();
  readonly refunds = new Map<string, StripeRefund>();
  readonly balanceTransactions = new Map<string, StripeBalanceTransaction>();
  readonly payouts = new Map<string, StripePayout>();
  readonly events: StripeEvent[] = [];
  /** Connect: the platform this account is connected to, and the account as the API shows it. */
  readonly platform?: StripeAccount;
  readonly profile?: StripeAccountObject;
  /** Connect: the platform's connected accounts, by id. */
  readonly connected = new Map<string, StripeAccount>();

  constructor(readonly id: string, connect?: { platform: StripeAccount; profile: StripeAccountObject }) {
    this.platform = connect?.platform;
    this.profile = connect?.profile;
  }

  /** Any object of the account by id, for `expand[]`. */
  find(id: string): StripeObject | StripeBalanceTransaction | undefined {
    return this.customers.get(id) ?? this.paymentMethods.get(id)?.pm ?? this.paymentIntents.get(id) ?? this.charges.get(id) ?? this.disputes.get(id)
      ?? this.refunds.get(id) ?? this.balanceTransactions.get(id) ?? this.payouts.get(id);
  }

  snapshot(): Record<string, unknown> {
    return {
      id: this.id,
      customers: [...this.customers.values()],
      paymentMethods: [...this.paymentMethods.values()].map((s) => s.pm),
      paymentIntents: [...this.paymentIntents.values()],
      charges: [...this.charges.values()],
      disputes: [...this.disputes.values()],
      refunds: [...this.refunds.values()],
      balanceTransactions: [...this.balanceTransactions.values()],
      payouts: [...this.payouts.values()],
      events: this.events,
      ...(this.profile ? { profile: this.profile, platform: this.platform!.id } : {}),
      ...(this.connected.size ? { connectedAccounts: [...this.connected.values()].map((a) => a.snapshot()) } : {}),
    };
  }
}

export class StripeState {
  readonly accounts = new Map<string, StripeAccount>();

  /** The account of an API key (`sk_test_…`, `pk_test_…` or `rk_test_…`); created on first use. */
  account(apiKey: string): StripeAccount {
    const suffix = apiKey.replace(/^(sk|pk|rk)_test_/, '');
    let account = this.accounts.get(suffix);
    if (!account) {
      account = new StripeAccount(`acct_${createHash('sha256').update(suffix).digest('hex').slice(0, 16)}`);
      this.accounts.set(suffix, account);
    }
    return account;
  }

  /** Every account: the keys' own and their connected accounts. */
  *all(): Iterable<StripeAccount> {
    for (const account of this.accounts.values()) {
      yield account;
      yield* account.connected.values();
    }
  }

  /** A connected account of any platform, by id (for the control API and the hosted onboarding page). */
  connectedAccount(id: string): StripeAccount | undefined {
    for (const account of this.accounts.values()) {
      const found = account.connected.get(id);
      if (found) return found;
    }
    return undefined;
  }

  /** The account holding a payment intent, for the control API (which is not told the key). */
  findIntent(id: string): { account: StripeAccount; intent: StripePaymentIntent } | undefined {
    for (const account of this.all()) {
      const intent = account.paymentIntents.get(id);
      if (intent) return { account, intent };
    }
    return undefined;
  }

  /** The account holding a refund, for the control API. */
  findRefund(id: string): { account: StripeAccount; refund: StripeRefund } | undefined {
    for (const account of this.all()) {
      const refund = account.refunds.get(id);
      if (refund) return { account, refund };
    }
    return undefined;
  }

  snapshot() {
    return { accounts: [...this.accounts.values()].map((a) => a.snapshot()) };
  }
}
