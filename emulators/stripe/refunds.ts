// /v1/refunds and /v1/charges/{id}: full and partial refunds of a succeeded charge (named by its payment intent or
// the charge), never past what is left on it. A refund succeeds at once (`refund.created`, `charge.refunded`),
// except on Stripe's refund-failure test card (`pm_card_refundFail`), whose refunds start `pending` and fail a moment
// later (`refund.updated`, `refund.failed`), giving the money back to the charge, as Stripe's test mode does, and
// its asynchronous-success card (`pm_card_pendingRefund`), whose refunds stay `pending` until settleRefund() (then
// `refund.updated` and `charge.refunded`).
import type { EmulatorServer } from '../support/server';
import { invalidRequest, noSuch } from './errors';
import { allowOnly, metadataOf, optionalBoolean, optionalEnum, optionalInteger, optionalString } from './form';
import { recordRefund, recordRefundFailure } from './balance';
import { api, emit, type Ctx, type RouteInput } from './routes';
import { newId, nowSeconds, type StripeAccount, type StripeCharge, type StripeRefund } from './state';

const REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

/** How long a failing refund stays pending before it fails. */
const REFUND_FAILURE_DELAY_MS = 50;

function chargeToRefund(account: StripeAccount, params: RouteInput['params']): StripeCharge {
  const intentId = optionalString(params, 'payment_intent');
  const chargeId = optionalString(params, 'charge');
  if (!intentId && !chargeId) throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.', undefined, 'parameter_missing');
  if (intentId) {
    const intent = account.paymentIntents.get(intentId);
    if (!intent) throw noSuch('payment_intent', intentId, 'payment_intent');
    const charge = account.charges.get(intent.latest_charge ?? '');
    if (!charge || intent.status !== 'succeeded') {
      throw invalidRequest(`This PaymentIntent (${intentId}) does not have a successful charge to refund.`, 'payment_intent', 'charge_not_refundable');
    }
    return charge;
  }
  const charge = account.charges.get(chargeId!);
  if (!charge) throw noSuch('charge', chargeId!, 'charge');
  if (charge.status !== 'succeeded') throw invalidRequest(`Charge ${charge.id} has not succeeded and cannot be refunded.`, 'charge', 'charge_not_refundable');
  return charge;
}

function failLater(ctx: Ctx, account: StripeAccount, charge: StripeCharge, refund: StripeRefund): void {
  setTimeout(() => {
    if (refund.status !== 'pending') return;
    refund.status = 'failed';
    refund.failure_reason = 'expired_or_canceled_card';
    charge.amount_refunded -= refund.amount;
    charge.refunded = false;
    recordRefundFailure(account, refund);
    emit(ctx, account, 'refund.updated', refund, refund.payment_intent, { status: 'pending', failure_reason: null });
    emit(ctx, account, 'refund.failed', refund, refund.payment_intent);
  }, REFUND_FAILURE_DELAY_MS).unref();
}

function createRefund(ctx: Ctx, { account, params }: RouteInput): StripeRefund {
  allowOnly(params, ['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'refund_application_fee', 'reverse_transfer']);
  const charge = chargeToRefund(account, params);
  const left = charge.amount - charge.amount_refunded;
  if (left === 0) throw invalidRequest(`Charge ${charge.id} has already been refunded.`, undefined, 'charge_already_refunded');
  const amount = optionalInteger(params, 'amount') ?? left;
  if (amount <= 0) throw invalidRequest('Invalid positive integer', 'amount');
  if (amount > left) {
    throw invalidRequest(`Refund amount (${amount} ${charge.currency}) is greater than unrefunded amount on charge (${left} ${charge.currency})`, 'amount', 'amount_too_large');
  }
  optionalBoolean(params, 'refund_application_fee');
  const failing = account.paymentMethods.get(charge.payment_method)?.outcome;
  const refund: StripeRefund = {
    id: newId('re'), object: 'refund', created: nowSeconds(), livemode: false, amount, currency: charge.currency, charge: charge.id,
    payment_intent: charge.payment_intent, reason: optionalEnum(params, 'reason', REASONS) ?? null,
    status: failing?.kind === 'succeed' && (failing.refundFails || failing.refundPending) ? 'pending' : 'succeeded', failure_reason: null, balance_transaction: null,
    metadata: metadataOf(params),
  };
  account.refunds.set(refund.id, refund);
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded === charge.amount;
  recordRefund(account, refund);
  emit(ctx, account, 'refund.created', refund, refund.payment_intent);
  if (refund.status === 'succeeded') emit(ctx, account, 'charge.refunded', charge, refund.payment_intent);
  else if (failing?.kind === 'succeed' && failing.refundFails) failLater(ctx, account, charge, refund);
  return refund;
}

/** A pending refund (Stripe's asynchronous-success card) succeeds: `refund.updated`, then `charge.refunded`. */
export function settlePendingRefund(ctx: Ctx, account: StripeAccount, refund: StripeRefund): void {
  if (refund.status !== 'pending') throw new Error(`refund ${refund.id} is ${refund.status}, not pending`);
  refund.status = 'succeeded';
  emit(ctx, account, 'refund.updated', refund, refund.payment_intent, { status: 'pending' });
  const charge = account.charges.get(refund.charge);
  if (charge) emit(ctx, account, 'charge.refunded', charge, refund.payment_intent);
}

export function registerRefundRoutes(server: EmulatorServer, ctx: Ctx): void {
  api(server, ctx, 'POST', '/v1/refunds', (input) => createRefund(ctx, input));

  api(server, ctx, 'GET', '/v1/refunds/:id', ({ req, account, params }) => {
    allowOnly(params, ['expand']);
    const refund = account.refunds.get(req.params.id);
    if (!refund) throw noSuch('refund', req.params.id);
    return refund;
  });

  api(server, ctx, 'GET', '/v1/refunds', ({ account, params }) => {
    allowOnly(params, ['payment_intent', 'charge', 'limit', 'starting_after']);
    const intent = optionalString(params, 'payment_intent');
    const charge = optionalString(params, 'charge');
    const all = [...account.refunds.values()].filter((r) => (!intent || r.payment_intent === intent) && (!charge || r.charge === charge)).reverse();
    const limit = optionalInteger(params, 'limit') ?? 10;
    return { object: 'list', data: all.slice(0, limit), has_more: all.length > limit, url: '/v1/refunds' };
  });

  api(server, ctx, 'GET', '/v1/charges/:id', ({ req, account, params }) => {
    allowOnly(params, ['expand']);
    const charge = account.charges.get(req.params.id);
    if (!charge) throw noSuch('charge', req.params.id);
    return charge;
  });
}
