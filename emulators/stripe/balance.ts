// The money side of an account: each succeeded charge and each refund is a balance transaction (a charge carries
// Stripe's fee, and the platform's application fee on a direct charge, in `fee_details`), and a payout carries the
// account's available transactions to its bank in one amount, itself a balance transaction. Settle reconciles a
// payout by listing `GET /v1/balance_transactions?payout=po_…` (automatic payouts only, as on Stripe).
// Stripe's pricing, simplified to what the books need to see: cards 2.9% + 30 (minor units), ACH 0.8% capped at
// 500, BECS 1% + 30 capped at 350. The emulator marks transactions available at once (Stripe waits days).
import type { EmulatorServer } from '../support/server';
import { invalidRequest, noSuch } from './errors';
import { allowOnly, optionalEnum, optionalInteger, optionalString } from './form';
import { api, emit, type Ctx } from './routes';
import {
  newId, nowSeconds, type PaymentMethodType, type StripeAccount, type StripeBalanceTransaction, type StripeCharge, type StripePayout,
  type StripeRefund,
} from './state';

/** Stripe's processing fee for a payment, in minor units. */
export function stripeFeeOf(type: PaymentMethodType, amount: number): number {
  if (type === 'us_bank_account') return Math.min(500, Math.round(amount * 0.008));
  if (type === 'au_becs_debit') return Math.min(350, Math.round(amount * 0.01) + 30);
  return Math.round(amount * 0.029) + 30;
}

function transaction(account: StripeAccount, fields: Omit<StripeBalanceTransaction, 'id' | 'object' | 'created' | 'available_on' | 'status' | 'payout'>): StripeBalanceTransaction {
  const now = nowSeconds();
  const txn: StripeBalanceTransaction = { id: newId('txn'), object: 'balance_transaction', created: now, available_on: now, status: 'available', payout: null, ...fields };
  account.balanceTransactions.set(txn.id, txn);
  return txn;
}

/** A charge that succeeded: the payment in, less Stripe's fee and the platform's application fee. */
export function recordCharge(account: StripeAccount, charge: StripeCharge, type: PaymentMethodType): void {
  const stripeFee = stripeFeeOf(type, charge.amount);
  const applicationFee = charge.application_fee_amount ?? 0;
  const fee_details = [
    { type: 'stripe_fee' as const, amount: stripeFee, currency: charge.currency, description: 'Stripe processing fees', application: null },
    ...(applicationFee > 0 ? [{ type: 'application_fee' as const, amount: applicationFee, currency: charge.currency, description: 'Application fee', application: account.platform?.id ?? null }] : []),
  ];
  const fee = stripeFee + applicationFee;
  const txn = transaction(account, {
    amount: charge.amount, currency: charge.currency, fee, fee_details, net: charge.amount - fee, type: 'charge', reporting_category: 'charge',
    source: charge.id, description: null,
  });
  charge.balance_transaction = txn.id;
}

/** A refund that went out: money back to the payer (Stripe keeps its fee on a refunded charge). */
export function recordRefund(account: StripeAccount, refund: StripeRefund): void {
  const txn = transaction(account, {
    amount: -refund.amount, currency: refund.currency, fee: 0, fee_details: [], net: -refund.amount, type: 'refund', reporting_category: 'refund',
    source: refund.id, description: 'REFUND FOR CHARGE',
  });
  refund.balance_transaction = txn.id;
}

/** A refund that failed after it went out gives the money back to the balance. */
export function recordRefundFailure(account: StripeAccount, refund: StripeRefund): void {
  transaction(account, {
    amount: refund.amount, currency: refund.currency, fee: 0, fee_details: [], net: refund.amount, type: 'payment_failure_refund', reporting_category: 'refund_failure',
    source: refund.id, description: 'REFUND FAILURE',
  });
}

/**
 * An automatic payout of everything available in `currency` not yet paid out: one payout whose amount is the sum of
 * the transactions' net, paid at once (`payout.created`, then `payout.paid`). Refuses an empty or negative balance.
 */
export function payOut(ctx: Ctx, account: StripeAccount, currency: string): StripePayout {
  const carried = [...account.balanceTransactions.values()].filter((t) => !t.payout && t.type !== 'payout' && t.currency === currency && t.status === 'available');
  const amount = carried.reduce((sum, t) => sum + t.net, 0);
  if (carried.length === 0 || amount <= 0) throw new Error(`account ${account.id} has no positive available ${currency} balance to pay out`);
  const id = newId('po');
  const own = transaction(account, {
    amount: -amount, currency, fee: 0, fee_details: [], net: -amount, type: 'payout', reporting_category: 'payout', source: id, description: 'STRIPE PAYOUT',
  });
  const now = nowSeconds();
  const payout: StripePayout = {
    id, object: 'payout', created: now, livemode: false, amount, currency, arrival_date: now, automatic: true, balance_transaction: own.id,
    destination: `ba_${account.id.slice(5)}`, method: 'standard', status: 'in_transit', type: 'bank_account', metadata: {},
  };
  for (const t of [...carried, own]) t.payout = id;
  account.payouts.set(id, payout);
  emit(ctx, account, 'payout.created', payout, id);
  payout.status = 'paid';
  emit(ctx, account, 'payout.paid', payout, id, { status: 'in_transit' });
  return payout;
}

/** What the API shows of a transaction (the payout link is the emulator's own bookkeeping). */
const shown = ({ payout: _payout, ...txn }: StripeBalanceTransaction) => txn;

export function registerBalanceRoutes(server: EmulatorServer, ctx: Ctx): void {
  // Newest first, paged with starting_after as stripe-node's auto-pagination asks.
  api(server, ctx, 'GET', '/v1/balance_transactions', ({ account, params }) => {
    allowOnly(params, ['payout', 'type', 'limit', 'starting_after', 'ending_before', 'currency', 'source', 'expand']);
    const limit = optionalInteger(params, 'limit') ?? 10;
    if (limit < 1 || limit > 100) throw invalidRequest('limit must be between 1 and 100.', 'limit');
    const payout = optionalString(params, 'payout');
    if (payout) {
      const found = account.payouts.get(payout);
      if (!found) throw noSuch('payout', payout, 'payout');
      if (!found.automatic) throw invalidRequest('Balance transaction history can only be filtered on automatic transfers, not manual.', 'payout');
    }
    const type = optionalString(params, 'type');
    const source = optionalString(params, 'source');
    let all = [...account.balanceTransactions.values()]
      .filter((t) => (!payout || t.payout === payout) && (!type || t.type === type) && (!source || t.source === source))
      .reverse();
    const after = optionalString(params, 'starting_after');
    if (after) {
      const at = all.findIndex((t) => t.id === after);
      if (at < 0) throw noSuch('balance_transaction', after, 'starting_after');
      all = all.slice(at + 1);
    }
    return { object: 'list', data: all.slice(0, limit).map(shown), has_more: all.length > limit, url: '/v1/balance_transactions' };
  });

  api(server, ctx, 'GET', '/v1/balance_transactions/:id', ({ req, account, params }) => {
    allowOnly(params, ['expand']);
    const txn = account.balanceTransactions.get(req.params.id);
    if (!txn) throw noSuch('balance transaction', req.params.id);
    return shown(txn);
  });

  api(server, ctx, 'GET', '/v1/payouts/:id', ({ req, account, params }) => {
    allowOnly(params, ['expand']);
    const payout = account.payouts.get(req.params.id);
    if (!payout) throw noSuch('payout', req.params.id);
    return payout;
  });

  api(server, ctx, 'GET', '/v1/payouts', ({ account, params }) => {
    allowOnly(params, ['limit', 'status', 'starting_after']);
    const status = optionalEnum(params, 'status', ['pending', 'in_transit', 'paid', 'failed', 'canceled'] as const);
    const all = [...account.payouts.values()].filter((p) => !status || p.status === status).reverse();
    const limit = optionalInteger(params, 'limit') ?? 10;
    return { object: 'list', data: all.slice(0, limit), has_more: all.length > limit, url: '/v1/payouts' };
  });
}
