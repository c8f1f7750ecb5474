// GET /Accounts: the organisation's chart of accounts, as Xero answers it (Code, Name, Type, Status, Class,
// EnablePaymentsToAccount), in code order. Settle reads it to offer and check a merchant's payout accounts.
import type { EmulatorServer } from '../support/server';
import { tenantOf, type Ctx } from './routes';
import type { XeroAccount } from './state';

const API = '/api.xro/2.0';

const CLASS: Record<XeroAccount['type'], string> = { BANK: 'ASSET', CURRENT: 'ASSET', REVENUE: 'REVENUE', SALES: 'REVENUE', CURRLIAB: 'LIABILITY', EXPENSE: 'EXPENSE' };

export function accountWire(a: XeroAccount): Record<string, unknown> {
  return { AccountID: a.accountId, Code: a.code, Name: a.name, Type: a.type, Status: 'ACTIVE', Class: CLASS[a.type], TaxType: a.taxType,
    EnablePaymentsToAccount: a.enablePayments, ...(a.type === 'BANK' ? { BankAccountType: 'BANK', CurrencyCode: 'USD' } : {}) };
}

export function registerAccountRoutes(server: EmulatorServer, ctx: Ctx): void {
  server.route('GET', `${API}/Accounts`, (req) => {
    const accounts = [...tenantOf(ctx, req).accounts.values()].sort((a, b) => a.code.localeCompare(b.code));
    return ctx.wire.ok({ Accounts: accounts.map(accountWire) });
  });
}
