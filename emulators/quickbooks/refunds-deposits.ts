// RefundReceipts and Deposits, create only (all Settle does with them), with QBO's rules as far as Settle meets them.
// A RefundReceipt gives money back to a customer: sales lines like an invoice's (Amount = Qty × UnitPrice, items
// must exist), paid from DepositToAccountRef, which QBO requires and which must be a Bank or Other Current Asset
// account (Undeposited Funds included). A Deposit puts money into a Bank account: DepositLineDetail lines from other
// accounts, which may be negative (fees kept back) but must total more than zero, none from the bank itself.
import type { EmulatorResponse } from '../support/server';
import { transactionContact, type Ctx } from './customers';
import { toCents } from './money';
import { parseLines } from './sales-forms';
import { depositJson, refundReceiptJson } from './serialize';
import type { DepositRecord, RefundReceiptRecord } from './state';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function createRefundReceipt(ctx: Ctx, body: any): EmulatorResponse {
  const { realm, wire } = ctx;
  const party = transactionContact(ctx, body, 'CustomerRef', 'transaction');
  if (!('contact' in party)) return party;
  const fromId = body.DepositToAccountRef?.value;
  if (fromId === undefined) return wire.required('DepositToAccountRef');
  const from = realm.accounts.get(String(fromId));
  if (!from) return wire.invalidReference('DepositToAccountRef', String(fromId));
  if (from.accountType !== 'Bank' && from.accountType !== 'Other Current Asset') {
    return wire.validation('6000', `A refund must be paid from a bank account or Undeposited Funds, not ${from.name}`, undefined, 'DepositToAccountRef');
  }
  const lines = parseLines(ctx, body.Line);
  if (!Array.isArray(lines)) return lines;
  const total = lines.reduce((t, l) => t + l.amountCents, 0);
  if (total <= 0) return wire.validation('6000', 'A refund receipt total must be greater than zero');
  const txnDate = body.TxnDate ?? realm.now().slice(0, 10);
  if (!DATE.test(txnDate)) return wire.validation('6000', `Invalid date: ${txnDate}`);
  const now = realm.now();
  const receipt: RefundReceiptRecord = {
    id: realm.nextId(), syncToken: 0, created: now, updated: now, customerId: party.contact.id, txnDate, currency: party.currency,
    depositAccountId: from.id, lines, totalCents: total, privateNote: body.PrivateNote || undefined,
  };
  realm.refundReceipts.set(receipt.id, receipt);
  return wire.ok({ RefundReceipt: refundReceiptJson(realm, receipt) });
}

export function createDeposit(ctx: Ctx, body: any): EmulatorResponse {
  const { realm, wire } = ctx;
  const toId = body.DepositToAccountRef?.value;
  if (toId === undefined) return wire.required('DepositToAccountRef');
  const to = realm.accounts.get(String(toId));
  if (!to) return wire.invalidReference('DepositToAccountRef', String(toId));
  if (to.accountType !== 'Bank') return wire.validation('6000', `A deposit goes into a bank account, not ${to.name}`, undefined, 'DepositToAccountRef');
  if (!Array.isArray(body.Line) || body.Line.length === 0) return wire.required('Line');
  const lines: DepositRecord['lines'] = [];
  for (const line of body.Line) {
    if (line?.DetailType !== 'DepositLineDetail') return wire.unsupported(`The emulator supports DepositLineDetail lines only, not ${line?.DetailType}`);
    const amountCents = toCents(line.Amount);
    if (amountCents === undefined) return wire.validation('6000', `Line Amount ${line.Amount} is not an amount with at most two decimals`, undefined, 'Line.Amount');
    const accountId = line.DepositLineDetail?.AccountRef?.value;
    if (accountId === undefined) return wire.required('AccountRef');
    const account = realm.accounts.get(String(accountId));
    if (!account) return wire.invalidReference('AccountRef', String(accountId));
    if (account.id === to.id) return wire.validation('6000', 'A deposit line cannot come from the account deposited to', undefined, 'AccountRef');
    lines.push({ id: String(lines.length + 1), amountCents, accountId: account.id, description: line.Description });
  }
  const total = lines.reduce((t, l) => t + l.amountCents, 0);
  if (total <= 0) return wire.validation('6000', 'The deposit total must be greater than zero');
  const txnDate = body.TxnDate ?? realm.now().slice(0, 10);
  if (!DATE.test(txnDate)) return wire.validation('6000', `Invalid date: ${txnDate}`);
  const now = realm.now();
  const deposit: DepositRecord = {
    id: realm.nextId(), syncToken: 0, created: now, updated: now, depositToAccountId: to.id, txnDate, currency: body.CurrencyRef?.value ?? realm.homeCurrency,
    lines, totalCents: total, privateNote: body.PrivateNote || undefined,
  };
  realm.deposits.set(deposit.id, deposit);
  return wire.ok({ Deposit: depositJson(realm, deposit) });
}
