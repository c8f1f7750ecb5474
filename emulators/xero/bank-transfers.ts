// /BankTransfers: PUT (create), GET and GET /{id}. Money moved between two of the organisation's bank accounts;
// Settle moves a Stripe payout from the clearing bank account to the merchant's bank with one. Xero's rules: both
// accounts are BANK accounts and not the same one, the amount is positive with at most two decimals, one transfer per
// element (the spec's BankTransfers array).
import { randomUUID } from 'node:crypto';
import type { EmulatorServer } from '../support/server';
import { dateFields, resolveDate } from './documents';
import { fromUnits, toCents } from './money';
import { batchWrite, tenantOf, writeOnce, type Ctx, type ElementResult } from './routes';
import type { TenantLedger, XeroBankTransfer } from './state';
import { msDateTime } from './wire';

const API = '/api.xro/2.0';

function accountRef(tenant: TenantLedger, code: string) {
  const a = tenant.accounts.get(code)!;
  return { AccountID: a.accountId, Code: a.code, Name: a.name };
}

export function bankTransferWire(tenant: TenantLedger, t: XeroBankTransfer): Record<string, unknown> {
  return {
    BankTransferID: t.id, FromBankAccount: accountRef(tenant, t.fromAccountCode), ToBankAccount: accountRef(tenant, t.toAccountCode),
    Amount: fromUnits(t.amountCents), ...dateFields('Date', t.date), Reference: t.reference, CurrencyRate: 1,
    FromBankTransactionID: t.id, ToBankTransactionID: t.id, FromIsReconciled: false, ToIsReconciled: false, HasAttachments: false,
    CreatedDateUTC: msDateTime(t.createdAt),
  };
}

function findBank(tenant: TenantLedger, ref: any) {
  if (ref?.Code !== undefined) return tenant.accounts.get(String(ref.Code));
  return [...tenant.accounts.values()].find((a) => a.accountId === String(ref?.AccountID ?? '').toLowerCase());
}

function createBankTransfer(tenant: TenantLedger, raw: any): ElementResult {
  const echo = { FromBankAccount: raw.FromBankAccount, ToBankAccount: raw.ToBankAccount, Amount: raw.Amount };
  const from = findBank(tenant, raw.FromBankAccount);
  const to = findBank(tenant, raw.ToBankAccount);
  const messages: string[] = [];
  if (!from || from.type !== 'BANK') messages.push('The FromBankAccount must be a bank account');
  if (!to || to.type !== 'BANK') messages.push('The ToBankAccount must be a bank account');
  if (from && to && from.code === to.code) messages.push('The FromBankAccount and ToBankAccount must be different');
  const cents = toCents(raw.Amount);
  if (cents === undefined || cents <= 0) messages.push('Amount must be a positive number with at most 2 decimal places');
  const date = resolveDate(tenant, raw.Date);
  if ('error' in date) messages.push(date.error);
  if (messages.length) return { ok: false, echo, messages };
  const transfer: XeroBankTransfer = {
    id: randomUUID(), fromAccountCode: from!.code, toAccountCode: to!.code, amountCents: cents!, date: (date as { date: string }).date,
    reference: typeof raw.Reference === 'string' ? raw.Reference : undefined, currency: tenant.baseCurrency, createdAt: tenant.now(),
  };
  tenant.bankTransfers.set(transfer.id, transfer);
  return { ok: true, wire: bankTransferWire(tenant, transfer) };
}

export function registerBankTransferRoutes(server: EmulatorServer, ctx: Ctx): void {
  server.route('PUT', `${API}/BankTransfers`, (req) =>
    writeOnce(ctx, req, () => batchWrite(ctx, req, 'BankTransfers', (raw) => createBankTransfer(tenantOf(ctx, req), raw))));

  server.route('GET', `${API}/BankTransfers`, (req) => {
    const tenant = tenantOf(ctx, req);
    return ctx.wire.ok({ BankTransfers: [...tenant.bankTransfers.values()].map((t) => bankTransferWire(tenant, t)) });
  });

  server.route('GET', `${API}/BankTransfers/:id`, (req) => {
    const tenant = tenantOf(ctx, req);
    const transfer = tenant.bankTransfers.get(req.params.id.toLowerCase());
    return transfer ? ctx.wire.ok({ BankTransfers: [bankTransferWire(tenant, transfer)] }) : ctx.wire.notFound();
  });
}
