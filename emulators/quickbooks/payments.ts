// Payments with QBO's rules. A payment's lines link the invoices it pays and the credit memos it uses; its
// TotalAmt is the money received, so TotalAmt = Σ invoice lines − Σ credit memo lines + UnappliedAmt. A payment
// with no lines is money on account (Settle's prepayment); one with TotalAmt 0 that links a credit memo and an
// invoice is how QBO applies a credit. Over-applying an invoice or a credit memo is refused (6000), as is paying
// a voided or fully paid invoice (its balance is 0). Payments are the only thing that moves balances.
import type { EmulatorResponse } from '../support/server';
import type { Ctx } from './customers';
import { toCents } from './money';
import { paymentJson } from './serialize';
import type { PaymentLine, PaymentRecord } from './state';

const UNDEPOSITED_FUNDS = '4';

export function createPayment(ctx: Ctx, body: any): EmulatorResponse {
  const { realm, wire } = ctx;
  const customerId = body.CustomerRef?.value;
  if (!customerId) return wire.required('CustomerRef');
  const customer = realm.customers.get(String(customerId));
  if (!customer) return wire.invalidReference('CustomerRef', String(customerId));
  const currency = body.CurrencyRef?.value ?? customer.currency;
  if (currency !== customer.currency) {
    return wire.validation('6000', `The currency of the payment (${currency}) must be the currency of customer ${customer.displayName} (${customer.currency})`);
  }
  if (body.TotalAmt === undefined) return wire.required('TotalAmt');
  const total = toCents(body.TotalAmt);
  if (total === undefined || total < 0) return wire.validation('6000', `TotalAmt ${body.TotalAmt} must be a non-negative amount with at most two decimals`, undefined, 'TotalAmt');

  let depositAccountId: string | undefined = body.DepositToAccountRef?.value;
  if (depositAccountId !== undefined) {
    const account = realm.accounts.get(String(depositAccountId));
    if (!account) return wire.invalidReference('DepositToAccountRef', String(depositAccountId));
    if (account.accountType !== 'Bank' && account.accountType !== 'Other Current Asset') {
      return wire.validation('6000', `Account ${account.name} cannot receive payments: deposit to a bank account or Undeposited Funds`);
    }
  } else if (total > 0) depositAccountId = UNDEPOSITED_FUNDS;

  const lines: PaymentLine[] = [];
  const applying = new Map<string, number>(); // per linked transaction, within this payment
  for (const line of body.Line ?? []) {
    const amount = toCents(line?.Amount);
    if (amount === undefined || amount <= 0) return wire.validation('6000', `Line Amount ${line?.Amount} must be a positive amount`, undefined, 'Line.Amount');
    const links = line.LinkedTxn;
    if (!Array.isArray(links) || links.length !== 1) return wire.required('Line.LinkedTxn');
    const { TxnId, TxnType } = links[0] ?? {};
    if (TxnType !== 'Invoice' && TxnType !== 'CreditMemo') return wire.unsupported(`A payment line cannot link a ${TxnType}`);
    const form = (TxnType === 'Invoice' ? realm.invoices : realm.creditMemos).get(String(TxnId));
    if (!form) return wire.invalidReference('LinkedTxn', String(TxnId));
    if (form.customerId !== customer.id) return wire.validation('6000', `${TxnType} ${form.docNumber} belongs to another customer`);
    const soFar = (applying.get(form.id) ?? 0) + amount;
    if (soFar > form.balanceCents) {
      const what = TxnType === 'Invoice' ? 'open balance' : 'remaining credit';
      return wire.validation('6000', `The amount applied to ${TxnType} ${form.docNumber} (${soFar / 100}) exceeds its ${what} (${form.balanceCents / 100})`);
    }
    applying.set(form.id, soFar);
    lines.push({ amountCents: amount, txnId: form.id, txnType: TxnType });
  }
  const charges = lines.filter((l) => l.txnType === 'Invoice').reduce((t, l) => t + l.amountCents, 0);
  const credits = lines.filter((l) => l.txnType === 'CreditMemo').reduce((t, l) => t + l.amountCents, 0);
  if (credits > charges) return wire.validation('6000', 'The credits applied exceed the charges they are applied to');
  if (charges - credits > total) return wire.validation('6000', `The amounts applied (${(charges - credits) / 100}) exceed the payment amount (${total / 100})`);
  if (body.PaymentRefNum !== undefined && String(body.PaymentRefNum).length > 21) {
    return wire.fault(400, 'ValidationFault', [{ Message: 'String length is either shorter or longer than supported by specification', Detail: 'PaymentRefNum is longer than 21 characters', code: '2050', element: 'PaymentRefNum' }]);
  }

  const now = realm.now();
  const payment: PaymentRecord = {
    id: realm.nextId(),
    syncToken: 0,
    created: now,
    updated: now,
    customerId: customer.id,
    txnDate: body.TxnDate ?? now.slice(0, 10),
    currency,
    totalCents: total,
    unappliedCents: total - charges + credits,
    depositAccountId,
    refNum: body.PaymentRefNum || undefined,
    privateNote: body.PrivateNote || undefined,
    lines,
  };
  realm.payments.set(payment.id, payment);
  realm.recompute();
  return wire.ok({ Payment: paymentJson(realm, payment) });
}

/** Deleting a payment un-applies it: the invoices it paid and the credits it used are open again. */
export function deletePayment(ctx: Ctx, body: any): EmulatorResponse {
  const payment = ctx.realm.payments.get(String(body.Id));
  if (!payment) return ctx.wire.notFound('Payment', String(body.Id));
  if (String(body.SyncToken) !== String(payment.syncToken)) return ctx.wire.stale('Payment', payment.id);
  ctx.realm.payments.delete(payment.id);
  ctx.realm.deleted.push({ entity: 'Payment', id: payment.id, at: ctx.realm.now() });
  ctx.realm.recompute();
  return ctx.wire.ok({ Payment: { Id: payment.id, status: 'Deleted', domain: 'QBO' } });
}
