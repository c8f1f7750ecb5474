// The Postgres rate budget across "worker processes" (separate pools on one database): never more calls in a
// rolling minute, a day or in flight than the platform allows.
import { createDb, type Db } from '../../../db/database';
import { createMerchant } from '../../../db/merchants';
import { RateBudget, RateBudgetExhausted } from '../../../activities/accounting/rate-budget';
import type { PlatformLimits } from '../../../activities/accounting/limits';
import { createTestDatabase, type TestDatabase } from '../../support/stack';

let database: TestDatabase;
let secondPool: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  secondPool = createDb(database.url, 5);
});
afterAll(async () => {
  await secondPool.destroy();
  await database.drop();
});

async function newConnection(): Promise<{ id: string; platform: string }> {
  const { merchant } = await createMerchant(database.db, 'Budget MSP');
  const id = `con_${merchant.id.slice(4)}`;
  await database.db
    .insertInto('accounting_connections')
    .values({ id, merchant_id: merchant.id, role: 'wise-pay', platform: 'xero', tenant_id: 't', status: 'connected', token_sealed: 'x', access_expires_at: new Date() })
    .execute();
  return { id, platform: 'xero' };
}

async function callStarts(connectionId: string): Promise<number[]> {
  const rows = await database.db.selectFrom('accounting_calls').select('started_at').where('connection_id', '=', connectionId).orderBy('started_at').execute();
  return rows.map((r) => r.started_at.getTime());
}

function maxInAnyWindow(starts: number[], windowMs: number): number {
  let max = 0;
  for (let i = 0, j = 0; i < starts.length; i++) {
    while (starts[i] - starts[j] >= windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

const clock = { minuteMs: 400, dayMs: 60_000 };

it('never lets two processes together exceed the rolling minute', async () => {
  const connection = await newConnection();
  const limits: PlatformLimits = { invoicesPerCall: 50, contactsPerCall: 50, accountNumbersPerLookup: 50, perMinute: 5, concurrent: 5, paymentsPerCall: 1 };
  const budgets = [new RateBudget(database.db, { clock }), new RateBudget(secondPool, { clock })];
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 16 }, async (_, i) => {
      const lease = await budgets[i % 2].acquire(connection, limits);
      await lease.release();
    }),
  );
  const starts = await callStarts(connection.id);
  expect(starts).toHaveLength(16);
  expect(maxInAnyWindow(starts, clock.minuteMs)).toBeLessThanOrEqual(5);
  // 16 calls at 5 per window need at least three full windows of waiting.
  expect(Date.now() - started).toBeGreaterThanOrEqual(3 * clock.minuteMs);
});

it('never has more calls in flight than allowed', async () => {
  const connection = await newConnection();
  const limits: PlatformLimits = { invoicesPerCall: 50, contactsPerCall: 50, accountNumbersPerLookup: 50, perMinute: 1000, concurrent: 3, paymentsPerCall: 1 };
  const budgets = [new RateBudget(database.db, { clock }), new RateBudget(secondPool, { clock })];
  let inFlight = 0;
  let peak = 0;
  // The first calls hold their slots until three are in flight at once (or 10 s pass), so the limit is reached
  // however slowly a loaded machine hands out leases; a fourth must never get in beside them.
  let threeInFlight!: () => void;
  const three = new Promise<void>((resolve) => (threeInFlight = resolve));
  await Promise.all(
    Array.from({ length: 12 }, async (_, i) => {
      const lease = await budgets[i % 2].acquire(connection, limits);
      inFlight++;
      peak = Math.max(peak, inFlight);
      if (inFlight === 3) threeInFlight();
      await Promise.race([three, new Promise((r) => setTimeout(r, 10_000))]);
      await new Promise((r) => setTimeout(r, 30)); // the "API call"
      inFlight--;
      await lease.release();
    }),
  );
  expect(peak).toBe(3);
});

it('stops for the day with a retry delay instead of waiting', async () => {
  const connection = await newConnection();
  const limits: PlatformLimits = { invoicesPerCall: 50, contactsPerCall: 50, accountNumbersPerLookup: 50, perMinute: 100, concurrent: 5, perDay: 3, paymentsPerCall: 1 };
  const budget = new RateBudget(database.db, { clock });
  for (let i = 0; i < 3; i++) await (await budget.acquire(connection, limits)).release();
  const error = await budget.acquire(connection, limits).catch((e) => e);
  expect(error).toBeInstanceOf(RateBudgetExhausted);
  expect(error.reason).toBe('day');
  expect(error.retryAfterMs).toBeGreaterThan(clock.dayMs - 5_000);
});

it('hands a long wait back to the caller as a retry delay', async () => {
  const connection = await newConnection();
  const limits: PlatformLimits = { invoicesPerCall: 50, contactsPerCall: 50, accountNumbersPerLookup: 50, perMinute: 1, concurrent: 1, paymentsPerCall: 1 };
  const budget = new RateBudget(database.db, { clock: { minuteMs: 10_000, dayMs: 60_000 }, maxWaitMs: 200 });
  await (await budget.acquire(connection, limits)).release();
  const error = await budget.acquire(connection, limits).catch((e) => e);
  expect(error).toBeInstanceOf(RateBudgetExhausted);
  expect(error.retryAfterMs).toBeGreaterThan(9_000);
});

it("frees a dead worker's slots when their lease runs out, while a live process's long call keeps its own", async () => {
  const connection = await newConnection();
  const limits: PlatformLimits = { invoicesPerCall: 50, contactsPerCall: 50, accountNumbersPerLookup: 50, perMinute: 1000, concurrent: 2, paymentsPerCall: 1 };
  const leaseTimeoutMs = 600;
  const live = new RateBudget(database.db, { clock, leaseTimeoutMs });
  const other = new RateBudget(secondPool, { clock, leaseTimeoutMs });
  // What a worker killed mid-call leaves behind: a call never finished, its lease no longer renewed.
  await database.db.insertInto('accounting_calls').values({ connection_id: connection.id, platform: 'xero', started_at: new Date() }).execute();
  const started = Date.now();
  const long = await live.acquire(connection, limits);
  const freed = await other.acquire(connection, limits); // the dead call's slot, once its lease ran out
  const waited = Date.now() - started;
  expect(waited).toBeGreaterThanOrEqual(leaseTimeoutMs - 100);
  expect(waited).toBeLessThan(leaseTimeoutMs * 4);
  // The long call outlives its lease three times over and, renewed, still holds its slot.
  let third = false;
  const next = other.acquire(connection, limits).then((lease) => ((third = true), lease));
  await new Promise((r) => setTimeout(r, leaseTimeoutMs * 3));
  expect(third).toBe(false);
  await long.release();
  await (await next).release();
  await freed.release();
});

it('keeps batch requests inside their own per-minute limit across processes, other calls inside theirs', async () => {
  const connection = await newConnection();
  const limits: PlatformLimits = { invoicesPerCall: 30, contactsPerCall: 30, accountNumbersPerLookup: 50, perMinute: 1000, concurrent: 10, paymentsPerCall: 1, batchPerMinute: 3 };
  const budgets = [new RateBudget(database.db, { clock }), new RateBudget(secondPool, { clock })];
  const started = Date.now();
  // Batches and plain calls together, each released after a moment (a slot handed to the next waiter in its process).
  await Promise.all(Array.from({ length: 16 }, async (_, i) => {
    const lease = await budgets[i % 2].acquire(connection, limits, i % 2 === 0 ? 'batch' : undefined);
    await new Promise((r) => setTimeout(r, 5));
    await lease.release();
  }));
  const rows = await database.db.selectFrom('accounting_calls').select(['started_at', 'finished_at', 'kind']).where('connection_id', '=', connection.id).orderBy('started_at').execute();
  expect(rows).toHaveLength(16);
  expect(rows.every((r) => r.finished_at !== null)).toBe(true);
  const batches = rows.filter((r) => r.kind === 'batch').map((r) => r.started_at.getTime());
  expect(batches).toHaveLength(8);
  expect(maxInAnyWindow(batches, clock.minuteMs)).toBeLessThanOrEqual(3);
  // 8 batches at 3 a window: at least two full windows; the other process's plain calls were not held back by them.
  expect(Date.now() - started).toBeGreaterThanOrEqual(2 * clock.minuteMs);
  const plainDone = Math.max(...rows.filter((r) => r.kind === null).map((r) => r.started_at.getTime()));
  expect(plainDone - started).toBeLessThan(2 * clock.minuteMs);
});

it('lets a call others wait on go ahead of the calls queued in its process, and keeps the rest in order', async () => {
  const connection = await newConnection();
  const limits: PlatformLimits = { invoicesPerCall: 50, contactsPerCall: 50, accountNumbersPerLookup: 50, perMinute: 100, concurrent: 1, paymentsPerCall: 1 };
  const budget = new RateBudget(database.db, { clock: { minuteMs: 60_000, dayMs: 600_000 } });
  const holding = await budget.acquire(connection, limits);
  const order: string[] = [];
  const take = (name: string, first = false) => budget.acquire(connection, limits, undefined, { first }).then(async (lease) => {
    order.push(name);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await lease.release();
  });
  const queued = [take('a'), take('b'), take('c')];
  await new Promise((resolve) => setTimeout(resolve, 50)); // a asks Postgres and waits; b and c wait in line
  const urgent = [take('first-1', true), take('first-2', true)];
  await holding.release();
  await Promise.all([...queued, ...urgent]);
  // a was already asking when the urgent calls came; they go before b and c, in the order they came.
  expect(order).toEqual(['a', 'first-1', 'first-2', 'b', 'c']);
});
