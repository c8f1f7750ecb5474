// /v1/payment_intents: create (and confirm at once, as off-session charges do), retrieve, confirm and cancel.
// Retrieve and confirm also take a publishable key with the intent's client_secret, as Stripe.js calls them from
// the payer's browser; nothing else does.
import { invalidRequest, noSuch, unexpectedState } from './errors';
import {
  allowOnly, metadataOf, optionalBoolean, optionalEnum, optionalInteger, optionalString, requiredString, type Params,
} from './form';
import { cancelIntent, checkUsable, confirmIntent, resolvePaymentMethod } from './lifecycle';
import { api, emit, type Ctx, type RouteInput } from './routes';
import { methodTypesOf } from './method-types';
import { newId, nowSeconds, type StripePaymentIntent } from './state';
import type { EmulatorServer } from '../support/server';

/** Stripe's smallest charge per currency, in minor units (others: 1). */
const MINIMUM_AMOUNT: Record<string, number> = { usd: 50, aud: 50, cad: 50, nzd: 50, eur: 50, gbp: 30 };

const UPDATABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action'];

const CANCELLATION_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const;

/** `off_session` is a boolean or, for recurring charges, 'one_off' / 'recurring'. */
function offSessionOf(params: Params): boolean {
  const value = optionalString(params, 'off_session');
  if (value === undefined) return false;
  if (!['true', 'false', 'one_off', 'recurring'].includes(value)) throw invalidRequest(`Invalid off_session: ${value}`, 'off_session');
  return value !== 'false';
}

function createIntent(ctx: Ctx, { account, params }: RouteInput): StripePaymentIntent {
  allowOnly(params, [
    'amount', 'currency', 'customer', 'allowed_payment_method_types', 'payment_method_types', 'automatic_payment_methods', 'payment_method',
    'setup_future_usage', 'off_session', 'confirm', 'return_url', 'metadata', 'description', 'application_fee_amount',
  ]);
  const amount = optionalInteger(params, 'amount');
  if (amount === undefined) throw invalidRequest('Missing required param: amount.', 'amount', 'parameter_missing');
  const currency = requiredString(params, 'currency').toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) throw invalidRequest(`Invalid currency: ${currency}.`, 'currency');
  if (amount < (MINIMUM_AMOUNT[currency] ?? 1)) {
    throw invalidRequest(`Amount must be at least ${MINIMUM_AMOUNT[currency] ?? 1} ${currency} minor units.`, 'amount', 'amount_too_small');
  }
  const applicationFee = optionalInteger(params, 'application_fee_amount') ?? null;
  if (applicationFee !== null) {
    if (!account.platform) {
      throw invalidRequest('Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`).', 'application_fee_amount');
    }
    if (applicationFee < 0 || applicationFee > amount) throw invalidRequest('application_fee_amount must be between 0 and the amount.', 'application_fee_amount');
  }
  const customer = optionalString(params, 'customer') || null;
  if (customer && !account.customers.has(customer)) throw noSuch('customer', customer, 'customer');
  const confirm = optionalBoolean(params, 'confirm') ?? false;
  const offSession = offSessionOf(params);
  if (offSession && !confirm) throw invalidRequest('off_session can only be used when confirm=true.', 'off_session');
  if (optionalString(params, 'return_url') !== undefined && !confirm) {
    throw invalidRequest('return_url can only be passed when confirm=true.', 'return_url');
  }

  const id = newId('pi');
  const intent: StripePaymentIntent = {
    id, object: 'payment_intent', created: nowSeconds(), livemode: false, amount, amount_received: 0, currency, customer,
    description: optionalString(params, 'description') ?? null,
    client_secret: `${id}_secret_${newId('s').slice(2)}`,
    capture_method: 'automatic', confirmation_method: 'automatic', payment_method: null,
    ...methodTypesOf(params, currency),
    setup_future_usage: optionalEnum(params, 'setup_future_usage', ['off_session', 'on_session'] as const) ?? null,
    status: 'requires_payment_method', latest_charge: null, last_payment_error: null, next_action: null,
    canceled_at: null, cancellation_reason: null, application_fee_amount: applicationFee, metadata: metadataOf(params),
  };
  const pmId = optionalString(params, 'payment_method');
  if (pmId) {
    const stored = resolvePaymentMethod(account, pmId);
    checkUsable(intent, stored);
    intent.payment_method = stored.pm.id;
    intent.status = 'requires_confirmation';
  }
  account.paymentIntents.set(id, intent);
  emit(ctx, account, 'payment_intent.created', intent, id);
  if (confirm) confirmIntent(ctx, account, intent);
  return intent;
}

/** The intent named in the path; with a publishable key only if the request also carries its client_secret. */
function intentFor({ req, caller, account, params }: RouteInput): StripePaymentIntent {
  const intent = account.paymentIntents.get(req.params.id);
  if (!intent) throw noSuch('payment_intent', req.params.id, 'intent');
  if (caller.kind === 'publishable') {
    const secret = optionalString(params, 'client_secret');
    if (!secret) throw invalidRequest('A client_secret is required to use a PaymentIntent with a publishable key.', 'client_secret');
    if (secret !== intent.client_secret) {
      throw invalidRequest('The client_secret provided does not match the client_secret associated with the PaymentIntent.', 'client_secret');
    }
  }
  return intent;
}

export function registerPaymentIntentRoutes(server: EmulatorServer, ctx: Ctx): void {
  api(server, ctx, 'POST', '/v1/payment_intents', (input) => createIntent(ctx, input));

  api(server, ctx, 'GET', '/v1/payment_intents/:id', (input) => {
    allowOnly(input.params, ['client_secret']);
    return intentFor(input);
  }, { publishable: true });

  // Update: Stripe lets the amount, the payment method and metadata (merged, "" deletes a key) change while the intent
  // waits for the payer; a payment method moves it to requires_confirmation.
  api(server, ctx, 'POST', '/v1/payment_intents/:id', (input) => {
    allowOnly(input.params, ['amount', 'payment_method', 'metadata', 'description', 'application_fee_amount']);
    const intent = intentFor(input);
    if (!UPDATABLE.includes(intent.status)) {
      throw unexpectedState(`You cannot update this PaymentIntent because it has a status of ${intent.status}.`);
    }
    const amount = optionalInteger(input.params, 'amount');
    if (amount !== undefined && amount < (MINIMUM_AMOUNT[intent.currency] ?? 1)) {
      throw invalidRequest(`Amount must be at least ${MINIMUM_AMOUNT[intent.currency] ?? 1} ${intent.currency} minor units.`, 'amount', 'amount_too_small');
    }
    const fee = optionalInteger(input.params, 'application_fee_amount');
    if (fee !== undefined && (!input.account.platform || fee < 0 || fee > (amount ?? intent.amount))) {
      throw invalidRequest('application_fee_amount must be between 0 and the amount, on a direct payment.', 'application_fee_amount');
    }
    const pmId = optionalString(input.params, 'payment_method');
    if (pmId) {
      const stored = resolvePaymentMethod(input.account, pmId);
      checkUsable(intent, stored);
      intent.payment_method = stored.pm.id;
      intent.status = 'requires_confirmation';
    }
    if (amount !== undefined) intent.amount = amount;
    if (fee !== undefined) intent.application_fee_amount = fee;
    const description = optionalString(input.params, 'description');
    if (description !== undefined) intent.description = description || null;
    intent.metadata = metadataOf(input.params, intent.metadata);
    emit(ctx, input.account, 'payment_intent.updated', intent, intent.id);
    return intent;
  });

  api(server, ctx, 'POST', '/v1/payment_intents/:id/confirm', (input) => {
    allowOnly(input.params, ['payment_method', 'return_url', 'off_session', 'setup_future_usage', 'allowed_payment_method_types', 'client_secret']);
    const intent = intentFor(input);
    if (input.caller.kind === 'publishable' && offSessionOf(input.params)) {
      throw invalidRequest('off_session cannot be used with a publishable key.', 'off_session');
    }
    const saveFor = optionalEnum(input.params, 'setup_future_usage', ['off_session', 'on_session'] as const);
    const types = input.params.allowed_payment_method_types ? methodTypesOf(input.params, intent.currency) : {};
    confirmIntent(ctx, input.account, intent, optionalString(input.params, 'payment_method') || undefined, {
      ...types, ...(saveFor ? { setup_future_usage: saveFor } : {}),
    });
    return intent;
  }, { publishable: true });

  api(server, ctx, 'POST', '/v1/payment_intents/:id/cancel', (input) => {
    allowOnly(input.params, ['cancellation_reason']);
    const intent = intentFor(input);
    cancelIntent(ctx, input.account, intent, optionalEnum(input.params, 'cancellation_reason', CANCELLATION_REASONS));
    return intent;
  });
}
