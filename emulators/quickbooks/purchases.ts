// Bills and vendor credits (the payable side's forms): create only, which is all Settle does with them. QBO's rules
// the adapter must live with: the vendor must exist (2500) and the transaction is in its currency; each line is an
// AccountBasedExpenseLineDetail whose AccountRef names an existing account (2500) that is not A/P or A/R (QBO keeps
// those for itself); amounts have at most two decimals; DocNumber is at most 21 characters. QBO numbers neither:
// a bill's number is the supplier's own, so duplicates are allowed. Like sales forms, they are posted on creation.
import type { EmulatorResponse } from '../support/server';
import { transactionContact, type Ctx } from './customers';
import { toCents } from './money';
import { billJson, vendorCreditJson } from './serialize';
import type { ExpenseLine, PurchaseFormRecord } from './state';

export type PurchaseFormKind = 'Bill' | 'VendorCredit';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseExpenseLines({ realm, wire }: Ctx, raw: unknown): ExpenseLine[] | EmulatorResponse {
  if (!Array.isArray(raw) || raw.length === 0) return wire.required('Line');
  const lines: ExpenseLine[] = [];
  for (const line of raw) {
    if (line?.DetailType !== 'AccountBasedExpenseLineDetail') {
      return wire.unsupported(`The emulator supports AccountBasedExpenseLineDetail lines only, not ${line?.DetailType}`);
    }
    const amountCents = toCents(line.Amount);
    if (amountCents === undefined || amountCents < 0) {
      return wire.validation('6000', `Line Amount ${line.Amount} is not a non-negative amount with at most two decimals`, undefined, 'Line.Amount');
    }
    const detail = line.AccountBasedExpenseLineDetail ?? {};
    const accountId = detail.AccountRef?.value;
    if (accountId === undefined) return wire.required('AccountRef');
    const account = realm.accounts.get(String(accountId));
    if (!account) return wire.invalidReference('AccountRef', String(accountId));
    if (account.accountType === 'Accounts Payable' || account.accountType === 'Accounts Receivable') {
      return wire.validation('6000', `Account ${account.name} cannot be used on an expense line: choose an expense account`, undefined, 'AccountRef');
    }
    lines.push({ id: String(lines.length + 1), description: line.Description, amountCents, accountId: account.id, taxCode: detail.TaxCodeRef?.value });
  }
  return lines;
}

export function createPurchaseForm(ctx: Ctx, kind: PurchaseFormKind, body: any): EmulatorResponse {
  const { realm, wire } = ctx;
  const party = transactionContact(ctx, body, 'VendorRef', 'transaction');
  if (!('contact' in party)) return party;
  const { contact: vendor, currency } = party;
  const lines = parseExpenseLines(ctx, body.Line);
  if (!Array.isArray(lines)) return lines;
  const txnDate = body.TxnDate ?? realm.now().slice(0, 10);
  const dueDate = kind === 'Bill' ? (body.DueDate ?? txnDate) : undefined;
  if (!DATE.test(txnDate) || (dueDate !== undefined && !DATE.test(dueDate))) return wire.validation('6000', `Invalid date: ${txnDate} / ${dueDate}`);
  if (body.DocNumber !== undefined && String(body.DocNumber).length > 21) {
    return wire.fault(400, 'ValidationFault', [{ Message: 'String length is either shorter or longer than supported by specification', Detail: `DocNumber "${body.DocNumber}" is longer than 21 characters`, code: '2050', element: 'DocNumber' }]);
  }
  const total = lines.reduce((t, l) => t + l.amountCents, 0);
  const now = realm.now();
  const form: PurchaseFormRecord = {
    id: realm.nextId(),
    syncToken: 0,
    created: now,
    updated: now,
    docNumber: body.DocNumber ? String(body.DocNumber) : undefined,
    vendorId: vendor.id,
    txnDate,
    dueDate,
    currency,
    lines,
    totalCents: total,
    balanceCents: total,
    privateNote: body.PrivateNote || undefined,
  };
  (kind === 'Bill' ? realm.bills : realm.vendorCredits).set(form.id, form);
  realm.recompute();
  return wire.ok({ [kind]: kind === 'Bill' ? billJson(realm, form) : vendorCreditJson(realm, form) });
}
