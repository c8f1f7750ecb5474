// Bill payments with QBO's rules. A bill payment's lines link the bills it pays and the vendor credits it uses;
// its TotalAmt is the money paid out, so TotalAmt = Σ bill lines − Σ vendor credit lines (QBO has no unapplied
// amount on a bill payment). One with TotalAmt 0 that links a bill and a vendor credit is how QBO applies a credit.
// PayType says where the money comes from: Check needs CheckPayment.BankAccountRef (a bank account), CreditCard
// needs CreditCardPayment.CCAccountRef (a credit card account), even for a payment of 0. Every linked form must be
// the vendor's, and no line may take more than the form's balance (6000). Bill payments move payable balances.
import type { EmulatorResponse } from '../support/server';
import { transactionContact, type Ctx } from './customers';
import { toCents } from './money';
import { billPaymentJson } from './serialize';
import type { BillPaymentLine, BillPaymentRecord } from './state';

function paidFrom({ realm, wire }: Ctx, body: any): string | EmulatorResponse {
  const [element, ref, type] = body.PayType === 'Check'
    ? ['CheckPayment.BankAccountRef', body.CheckPayment?.BankAccountRef, 'Bank']
    : body.PayType === 'CreditCard'
      ? ['CreditCardPayment.CCAccountRef', body.CreditCardPayment?.CCAccountRef, 'Credit Card']
      : [undefined, undefined, undefined];
  if (!element) return body.PayType === undefined ? wire.required('PayType') : wire.validation('2050', `PayType ${body.PayType} is not Check or CreditCard`, undefined, 'PayType');
  if (ref?.value === undefined) return wire.required(element);
  const account = realm.accounts.get(String(ref.value));
  if (!account) return wire.invalidReference(element, String(ref.value));
  if (account.accountType !== type) return wire.validation('6000', `Account ${account.name} is not a ${type} account and cannot pay a ${body.PayType} bill payment`, undefined, element);
  return account.id;
}

export function createBillPayment(ctx: Ctx, body: any): EmulatorResponse {
  const { realm, wire } = ctx;
  const party = transactionContact(ctx, body, 'VendorRef', 'bill payment');
  if (!('contact' in party)) return party;
  const { contact: vendor, currency } = party;
  const account = paidFrom(ctx, body);
  if (typeof account !== 'string') return account;
  if (body.TotalAmt === undefined) return wire.required('TotalAmt');
  const total = toCents(body.TotalAmt);
  if (total === undefined || total < 0) return wire.validation('6000', `TotalAmt ${body.TotalAmt} must be a non-negative amount with at most two decimals`, undefined, 'TotalAmt');
  if (!Array.isArray(body.Line) || body.Line.length === 0) return wire.required('Line');

  const lines: BillPaymentLine[] = [];
  const applying = new Map<string, number>(); // per linked transaction, within this bill payment
  for (const line of body.Line) {
    const amount = toCents(line?.Amount);
    if (amount === undefined || amount <= 0) return wire.validation('6000', `Line Amount ${line?.Amount} must be a positive amount`, undefined, 'Line.Amount');
    const links = line.LinkedTxn;
    if (!Array.isArray(links) || links.length !== 1) return wire.required('Line.LinkedTxn');
    const { TxnId, TxnType } = links[0] ?? {};
    if (TxnType !== 'Bill' && TxnType !== 'VendorCredit') return wire.unsupported(`A bill payment line cannot link a ${TxnType}`);
    const form = (TxnType === 'Bill' ? realm.bills : realm.vendorCredits).get(String(TxnId));
    if (!form) return wire.invalidReference('LinkedTxn', String(TxnId));
    if (form.vendorId !== vendor.id) return wire.validation('6000', `${TxnType} ${form.docNumber ?? form.id} belongs to another vendor`);
    const soFar = (applying.get(form.id) ?? 0) + amount;
    if (soFar > form.balanceCents) {
      const what = TxnType === 'Bill' ? 'open balance' : 'remaining credit';
      return wire.validation('6000', `The amount applied to ${TxnType} ${form.docNumber ?? form.id} (${soFar / 100}) exceeds its ${what} (${form.balanceCents / 100})`);
    }
    applying.set(form.id, soFar);
    lines.push({ amountCents: amount, txnId: form.id, txnType: TxnType });
  }
  const bills = lines.filter((l) => l.txnType === 'Bill').reduce((t, l) => t + l.amountCents, 0);
  const credits = lines.filter((l) => l.txnType === 'VendorCredit').reduce((t, l) => t + l.amountCents, 0);
  if (credits > bills) return wire.validation('6000', 'The vendor credits applied exceed the bills they are applied to');
  if (bills - credits !== total) {
    return wire.validation('6000', `TotalAmt (${total / 100}) must be the bills paid less the credits applied (${(bills - credits) / 100})`, undefined, 'TotalAmt');
  }

  const now = realm.now();
  const payment: BillPaymentRecord = {
    id: realm.nextId(),
    syncToken: 0,
    created: now,
    updated: now,
    vendorId: vendor.id,
    txnDate: body.TxnDate ?? now.slice(0, 10),
    currency,
    totalCents: total,
    payType: body.PayType,
    paidFromAccountId: account,
    privateNote: body.PrivateNote || undefined,
    lines,
  };
  realm.billPayments.set(payment.id, payment);
  realm.recompute();
  return wire.ok({ BillPayment: billPaymentJson(realm, payment) });
}
