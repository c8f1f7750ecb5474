// How a PaymentIntent moves, as Stripe moves it: confirm (a card succeeds or declines at once; a bank debit goes to
// `processing`), the bank's late answer (settle), a dispute after success, and cancel. Every move records its event.
// A decline is an answer (HTTP 402) and a state change at once: the intent goes back to `requires_payment_method`
// with `last_payment_error`, and Stripe returns that error with the intent inside it.
import { invalidRequest, noSuch, StripeApiError, unexpectedState } from './errors';
import { emit, type Ctx } from './routes';
import {
  newId, nowSeconds, type StoredPaymentMethod, type StripeAccount, type StripeCharge, type StripeDispute, type StripePaymentIntent,
} from './state';
import { isTestPaymentMethodId, materialize } from './test-payment-methods';
import { recordCharge } from './balance';

const CONFIRMABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
const CANCELABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action'];

/** A payment method of the account, or a fresh one for a Stripe test id (`pm_card_visa`, `pm_usBankAccount`, ...). */
export function resolvePaymentMethod(account: StripeAccount, id: string, param = 'payment_method'): StoredPaymentMethod {
  const stored = account.paymentMethods.get(id);
  if (stored) return stored;
  if (!isTestPaymentMethodId(id)) throw noSuch('PaymentMethod', id, param);
  const fresh = { ...materialize(id), used: false };
  account.paymentMethods.set(fresh.pm.id, fresh);
  return fresh;
}

/** Checks a payment method may pay this intent: its type is allowed, and its customer (if any) is the intent's. */
export function checkUsable(intent: StripePaymentIntent, stored: StoredPaymentMethod): void {
  const { pm } = stored;
  if (!intent.payment_method_types.includes(pm.type)) {
    throw invalidRequest(
      `The PaymentMethod provided (${pm.type}) is not allowed for this PaymentIntent. Please attach a PaymentMethod of one of the following types: ${intent.payment_method_types.join(', ')}. Alternatively, update the allowed payment_method_types for this PaymentIntent to include "${pm.type}".`,
      'payment_method', 'payment_intent_invalid_parameter',
    );
  }
  if (pm.customer && pm.customer !== intent.customer) {
    throw invalidRequest(`The provided PaymentMethod belongs to Customer ${pm.customer}; the PaymentIntent must be for that Customer to use it.`, 'payment_method');
  }
  if (!pm.customer && stored.used) {
    throw invalidRequest(
      'The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.',
      'payment_method',
    );
  }
}

function newCharge(intent: StripePaymentIntent, pm: StoredPaymentMethod['pm'], status: StripeCharge['status']): StripeCharge {
  return {
    id: newId('ch'), object: 'charge', created: nowSeconds(), livemode: false, amount: intent.amount, currency: intent.currency,
    customer: intent.customer, payment_intent: intent.id, payment_method: pm.id, status, paid: status === 'succeeded', disputed: false,
    amount_refunded: 0, refunded: false, application_fee_amount: intent.application_fee_amount, balance_transaction: null,
    failure_code: null, failure_message: null, metadata: {},
  };
}

function succeed(ctx: Ctx, account: StripeAccount, intent: StripePaymentIntent, charge: StripeCharge): void {
  charge.status = 'succeeded';
  charge.paid = true;
  intent.status = 'succeeded';
  intent.amount_received = intent.amount;
  intent.last_payment_error = null;
  recordCharge(account, charge, account.paymentMethods.get(charge.payment_method)?.pm.type ?? 'card');
  emit(ctx, account, 'payment_intent.succeeded', intent, intent.id);
}

/** Back to `requires_payment_method` with the reason; the payment method is dropped, as Stripe drops it. */
function fail(ctx: Ctx, account: StripeAccount, intent: StripePaymentIntent, charge: StripeCharge, error: Record<string, unknown>): void {
  charge.status = 'failed';
  charge.failure_code = String(error.decline_code ?? error.code);
  charge.failure_message = String(error.message);
  intent.status = 'requires_payment_method';
  intent.payment_method = null;
  intent.last_payment_error = { ...error, charge: charge.id };
  emit(ctx, account, 'payment_intent.payment_failed', intent, intent.id);
}

/**
 * Confirms with the given payment method (or the one the intent has). `changes` are the confirm call's updates to
 * the intent (allowed types, setup_future_usage): kept if the confirmation gets as far as an attempt, undone if the
 * call is refused, as Stripe applies a refused request not at all.
 */
export function confirmIntent(ctx: Ctx, account: StripeAccount, intent: StripePaymentIntent, paymentMethodId?: string,
  changes: Partial<StripePaymentIntent> = {}): void {
  if (!CONFIRMABLE.includes(intent.status)) {
    throw unexpectedState(`You cannot confirm this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`);
  }
  const before = { ...intent };
  Object.assign(intent, changes);
  let stored: StoredPaymentMethod;
  try {
    const pmId = paymentMethodId ?? intent.payment_method;
    if (!pmId) {
      throw invalidRequest("You cannot confirm this PaymentIntent because it's missing a payment method. Update the PaymentIntent with a payment method and then confirm it again.", 'payment_method', 'payment_intent_unexpected_state');
    }
    stored = resolvePaymentMethod(account, pmId);
    checkUsable(intent, stored);
  } catch (err) {
    Object.assign(intent, before);
    throw err;
  }
  const { pm, outcome } = stored;
  intent.payment_method = pm.id;
  const charge = newCharge(intent, pm, 'pending');
  account.charges.set(charge.id, charge);
  intent.latest_charge = charge.id;

  if (outcome.kind === 'decline') {
    const error = {
      type: 'card_error' as const, code: outcome.code, decline_code: outcome.declineCode, message: outcome.message,
      doc_url: `https://stripe.com/docs/error-codes/${outcome.code.replace(/_/g, '-')}`, payment_method: structuredClone(pm),
    };
    fail(ctx, account, intent, charge, error);
    throw new StripeApiError(402, { ...error, charge: charge.id, payment_intent: structuredClone(intent) });
  }
  stored.used = true;
  // Saving for later: the method is attached to the intent's customer once the payment goes through.
  if (intent.setup_future_usage && intent.customer && !pm.customer) pm.customer = intent.customer;
  if (outcome.kind === 'succeed') {
    succeed(ctx, account, intent, charge);
  } else {
    intent.status = 'processing';
    emit(ctx, account, 'payment_intent.processing', intent, intent.id);
  }
}

/** The bank's answer to a debit in `processing`: it settled, or it came back unpaid. */
export function settleIntent(ctx: Ctx, account: StripeAccount, intent: StripePaymentIntent, outcome: 'succeeded' | 'failed'): void {
  if (intent.status !== 'processing') throw new Error(`payment intent ${intent.id} is ${intent.status}, not processing`);
  const charge = account.charges.get(intent.latest_charge ?? '');
  if (!charge) throw new Error(`payment intent ${intent.id} has no charge`);
  if (outcome === 'succeeded') {
    succeed(ctx, account, intent, charge);
    return;
  }
  const pm = account.paymentMethods.get(charge.payment_method)?.pm;
  fail(ctx, account, intent, charge, {
    type: 'invalid_request_error', code: 'insufficient_funds', decline_code: 'insufficient_funds',
    message: "The customer's account has insufficient funds to cover this payment.", payment_method: pm ? structuredClone(pm) : null,
  });
}

/** A late rejection of a payment that had succeeded (a card chargeback, or a bank debit returned as unauthorised). */
export function disputeIntent(ctx: Ctx, account: StripeAccount, intent: StripePaymentIntent): StripeDispute {
  if (intent.status !== 'succeeded') throw new Error(`payment intent ${intent.id} is ${intent.status}: only a succeeded payment can be disputed`);
  const charge = account.charges.get(intent.latest_charge ?? '');
  if (!charge) throw new Error(`payment intent ${intent.id} has no charge`);
  if (charge.disputed) throw new Error(`charge ${charge.id} is already disputed`);
  const type = account.paymentMethods.get(charge.payment_method)?.pm.type;
  const dispute: StripeDispute = {
    id: newId('dp'), object: 'dispute', created: nowSeconds(), livemode: false, amount: charge.amount, currency: charge.currency,
    charge: charge.id, payment_intent: intent.id, reason: type === 'card' ? 'fraudulent' : 'debit_not_authorized', status: 'needs_response', metadata: {},
  };
  account.disputes.set(dispute.id, dispute);
  charge.disputed = true;
  emit(ctx, account, 'charge.dispute.created', dispute, intent.id);
  return dispute;
}

export function cancelIntent(ctx: Ctx, account: StripeAccount, intent: StripePaymentIntent, reason?: string): void {
  if (!CANCELABLE.includes(intent.status)) {
    throw unexpectedState(`You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`);
  }
  intent.status = 'canceled';
  intent.canceled_at = nowSeconds();
  intent.cancellation_reason = reason ?? null;
  emit(ctx, account, 'payment_intent.canceled', intent, intent.id);
}
