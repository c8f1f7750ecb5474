// A stateful local cloud BSS (interworks.cloud-style billing export): per reseller account (an API key), each month's
// recurring charges, served a page at a time at GET /api/v1/billing/recurring?month=YYYY-MM&page=N&pageSize=M with the
// key as a bearer token; a per-key rate limit (429 with Retry-After) and injected faults as the other emulators have.
import { randomBytes } from 'node:crypto';
import { FaultInjector, mountFaultRoutes } from '../support/faults';
import { SlidingWindowLimiter } from '../support/limits';
import { EmulatorServer } from '../support/server';
import type { BssRecurringCharge } from '../../activities/bss/client';

export type { BssRecurringCharge } from '../../activities/bss/client';

export class BssAccount {
  /** Charges by month (YYYY-MM), in the order the BSS lists them. */
  readonly months = new Map<string, BssRecurringCharge[]>();
  constructor(readonly apiKey: string, readonly name: string) {}

  setCharges(month: string, charges: BssRecurringCharge[]): void {
    this.months.set(month, charges.map((c) => ({ ...c })));
  }
}

export interface BssEmulator {
  url: string;
  accounts: Map<string, BssAccount>;
  faults: FaultInjector;
  stats: { requests: number; http429: number };
  createAccount(name?: string): BssAccount;
  close(): Promise<void>;
}

const rateLimited = (seconds: number) => ({ status: 429, headers: { 'retry-after': String(seconds) }, body: { error: 'rate_limited', message: 'Too many requests' } });

export async function startBssEmulator(opts: { port?: number; requestsPerSecond?: number } = {}): Promise<BssEmulator> {
  const server = new EmulatorServer();
  const limiter = new SlidingWindowLimiter(opts.requestsPerSecond ?? 20, 1000);
  const emulator: BssEmulator = {
    url: '', accounts: new Map(), faults: new FaultInjector(rateLimited), stats: { requests: 0, http429: 0 },
    createAccount(name = 'Reseller') {
      const account = new BssAccount(`bss_${randomBytes(16).toString('hex')}`, name);
      emulator.accounts.set(account.apiKey, account);
      return account;
    },
    close: () => server.close(),
  };

  server.use(async (_req, next) => {
    const res = await next();
    emulator.stats.requests++;
    if (res.status === 429) emulator.stats.http429++;
    return res;
  });
  server.use(async (req, next) => {
    const key = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!key || !emulator.accounts.has(key)) return { status: 401, body: { error: 'unauthorized', message: 'A valid API key is required' } };
    const slot = limiter.tryAcquire(key);
    if (!slot.ok) return rateLimited(Math.max(1, Math.ceil(slot.retryAfterMs / 1000)));
    return next();
  });
  server.use(emulator.faults.middleware);

  server.route('GET', '/api/v1/billing/recurring', (req) => {
    const account = emulator.accounts.get(/^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')![1])!;
    const month = req.query.get('month') ?? '';
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return { status: 400, body: { error: 'invalid_month', message: 'month must be YYYY-MM' } };
    const page = Math.max(1, Number(req.query.get('page') ?? 1) || 1);
    const pageSize = Math.max(1, Math.min(1000, Number(req.query.get('pageSize') ?? 100) || 100));
    const charges = account.months.get(month) ?? [];
    const items = charges.slice((page - 1) * pageSize, page * pageSize);
    return { status: 200, body: { items, page, pageSize, total: charges.length, nextPage: page * pageSize < charges.length ? page + 1 : null } };
  });

  // The control API, for tests and the sandbox.
  server.route('POST', '/_emulator/accounts', (req) => {
    const account = emulator.createAccount(typeof req.body?.name === 'string' ? req.body.name : undefined);
    return { status: 201, body: { apiKey: account.apiKey } };
  });
  server.route('PUT', '/_emulator/accounts/:apiKey/months/:month', (req) => {
    const account = emulator.accounts.get(req.params.apiKey);
    if (!account) return { status: 404, body: { message: 'no such account' } };
    if (!Array.isArray(req.body)) return { status: 400, body: { message: 'the body is the month\'s charges, an array' } };
    account.setCharges(req.params.month, req.body);
    return { status: 204 };
  });
  server.route('GET', '/_emulator/state', () => ({ status: 200, body: { accounts: [...emulator.accounts.values()].map((a) => ({ name: a.name,
    months: Object.fromEntries([...a.months].map(([m, c]) => [m, c.length])) })), stats: emulator.stats, faults: emulator.faults.counts } }));
  mountFaultRoutes(server, emulator.faults);

  emulator.url = await server.listen(opts.port ?? 0);
  return emulator;
}
