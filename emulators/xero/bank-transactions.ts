// /BankTransactions: PUT (create), GET (where, page) and GET /{id}. Settle uses them for prepayments: money
// received from a customer before there is an invoice to apply it to is a RECEIVE-PREPAYMENT bank transaction, and
// Xero gives the prepayment it creates the same id (PrepaymentID = BankTransactionID).
import { randomUUID } from 'node:crypto';
import type { EmulatorServer } from '../support/server';
import { contactRef, dateFields, lineWire, parseLines, resolveContact, resolveCurrency, resolveDate, resolveLineAmountTypes } from './documents';
import { fromUnits } from './money';
import { batchWrite, paged, tenantOf, writeOnce, type Ctx, type ElementResult } from './routes';
import type { TenantLedger, XeroBankTransaction } from './state';
import { msDateTime } from './wire';
import { parseWhere, WhereError, type FieldSchema } from './where';

const API = '/api.xro/2.0';
const TYPES: XeroBankTransaction['type'][] = ['RECEIVE', 'RECEIVE-PREPAYMENT', 'RECEIVE-OVERPAYMENT', 'SPEND'];

const FIELDS: FieldSchema = {
  BankTransactionID: 'guid', Type: 'string', Status: 'string', Reference: 'string', 'Contact.ContactID': 'guid',
  Date: 'date', Total: 'money', CurrencyCode: 'string', 'BankAccount.Code': 'string',
};

export function bankTransactionWire(tenant: TenantLedger, t: XeroBankTransaction): Record<string, unknown> {
  const account = tenant.accounts.get(t.bankAccountCode)!;
  return {
    BankTransactionID: t.id, Type: t.type, Contact: contactRef(tenant, t.contactId), ...dateFields('Date', t.date), Reference: t.reference,
    Status: t.status, LineAmountTypes: t.lineAmountTypes, LineItems: t.lines.map(lineWire),
    SubTotal: fromUnits(t.subTotalCents), TotalTax: fromUnits(t.taxCents), Total: fromUnits(t.totalCents), CurrencyCode: t.currency, CurrencyRate: 1,
    BankAccount: { AccountID: account.accountId, Code: account.code, Name: account.name },
    ...(t.type === 'RECEIVE-PREPAYMENT' && { PrepaymentID: t.id }), ...(t.type === 'RECEIVE-OVERPAYMENT' && { OverpaymentID: t.id }),
    IsReconciled: false, HasAttachments: false, UpdatedDateUTC: msDateTime(t.updatedAt),
  };
}

function createBankTransaction(tenant: TenantLedger, raw: any): ElementResult {
  const echo = { Type: raw.Type, Reference: raw.Reference, BankAccount: raw.BankAccount };
  const fail = (...messages: string[]): ElementResult => ({ ok: false, echo, messages });
  const type = TYPES.find((t) => t === String(raw.Type ?? '').toUpperCase());
  if (!type) return fail(`Bank transaction Type must be one of ${TYPES.join(', ')}`);
  const bankRef = raw.BankAccount;
  const bank = bankRef?.Code !== undefined
    ? tenant.accounts.get(String(bankRef.Code))
    : [...tenant.accounts.values()].find((a) => a.accountId === String(bankRef?.AccountID ?? '').toLowerCase());
  const messages: string[] = [];
  if (!bankRef) messages.push('A BankAccount must be specified');
  else if (!bank || bank.type !== 'BANK') messages.push(`The BankAccount ${String(bankRef.Code ?? bankRef.AccountID)} is not a bank account`);
  const contact = resolveContact(tenant, raw);
  const currency = resolveCurrency(tenant, raw);
  const amountTypes = resolveLineAmountTypes(raw);
  const date = resolveDate(tenant, raw.Date);
  messages.push(...[contact, currency, amountTypes, date].flatMap((r) => ('error' in r ? [r.error] : [])));
  if (!Array.isArray(raw.LineItems) || raw.LineItems.length === 0) messages.push('A bank transaction must have at least one line item');
  if (messages.length || 'error' in amountTypes) return fail(...messages);
  const lines = parseLines(tenant, raw.LineItems, amountTypes.lineAmountTypes, { unitdp: 2, requireAccounts: true });
  if ('errors' in lines) return fail(...lines.errors);
  if (lines.totalCents <= 0) return fail('The total of a bank transaction must be greater than zero');
  const now = tenant.now();
  const transaction: XeroBankTransaction = {
    id: randomUUID(), type, contactId: (contact as { contactId: string }).contactId, bankAccountCode: bank!.code,
    date: (date as { date: string }).date, reference: typeof raw.Reference === 'string' ? raw.Reference : undefined,
    currency: (currency as { currency: string }).currency, status: 'AUTHORISED', lineAmountTypes: amountTypes.lineAmountTypes,
    ...lines, createdAt: now, updatedAt: now,
  };
  tenant.bankTransactions.set(transaction.id, transaction);
  return { ok: true, wire: bankTransactionWire(tenant, transaction) };
}

export function registerBankTransactionRoutes(server: EmulatorServer, ctx: Ctx): void {
  server.route('PUT', `${API}/BankTransactions`, (req) =>
    writeOnce(ctx, req, () => batchWrite(ctx, req, 'BankTransactions', (raw) => createBankTransaction(tenantOf(ctx, req), raw))));

  server.route('GET', `${API}/BankTransactions`, (req) => {
    const tenant = tenantOf(ctx, req);
    let transactions = [...tenant.bankTransactions.values()];
    const where = req.query.get('where');
    if (where) {
      try {
        const match = parseWhere(where, FIELDS, 'BankTransaction');
        transactions = transactions.filter((t) => match({
          BankTransactionID: t.id, Type: t.type, Status: t.status, Reference: t.reference, 'Contact.ContactID': t.contactId,
          Date: t.date, Total: t.totalCents, CurrencyCode: t.currency, 'BankAccount.Code': t.bankAccountCode,
        }));
      } catch (err) {
        if (err instanceof WhereError) return { status: 400, body: { ErrorNumber: 16, Type: 'QueryParseException', Message: err.message } };
        throw err;
      }
    }
    const page = paged(req, transactions);
    return ctx.wire.ok({ ...(page.pagination && { pagination: page.pagination }), BankTransactions: page.items.map((t) => bankTransactionWire(tenant, t)) });
  });

  server.route('GET', `${API}/BankTransactions/:id`, (req) => {
    const tenant = tenantOf(ctx, req);
    const transaction = tenant.bankTransactions.get(req.params.id.toLowerCase());
    return transaction ? ctx.wire.ok({ BankTransactions: [bankTransactionWire(tenant, transaction)] }) : ctx.wire.notFound();
  });
}
