// Keeps every worker process, together, inside a connection's rate limits. The budget lives in Postgres
// (every worker sees it): each API call is a row in accounting_calls, and a call may start only when the
// rolling minute, the rolling day and the calls in flight leave room. Acquiring is serialised per
// connection with a transaction-scoped advisory lock, so two workers cannot both take the last slot.
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import type { BudgetClock, PlatformLimits } from './limits';

export interface BudgetedConnection {
  id: string;
  platform: string;
}

/** A batch request (QuickBooks' /batch) counts against the platform's batch limit as well as its other limits. */
export type CallKind = 'batch';

/** The day's budget is spent (or waiting would hold a worker slot too long): retry after `retryAfterMs`. */
export class RateBudgetExhausted extends Error {
  constructor(readonly retryAfterMs: number, readonly reason: 'minute' | 'day' | 'app') {
    super(`rate budget exhausted (${reason}); retry in ${retryAfterMs} ms`);
  }
}

export interface RateBudgetOptions {
  clock: BudgetClock;
  /** Longest an activity waits in-process for room; longer waits go back to Temporal as a retry delay. */
  maxWaitMs?: number;
  /**
   * A call that never finished stops counting as in flight this long after its last renewal: the live process
   * renews its calls' leases every third of it, so only a dead worker's calls run out.
   */
  leaseTimeoutMs?: number;
}

export class RateBudget {
  private readonly maxWaitMs: number;
  private readonly leaseTimeoutMs: number;
  private readonly clock: BudgetClock;
  /** How long this process waited for room, in total (for benchmarks). */
  waitedMs = 0;
  /** Summed over every call of this process: from asking for room to getting it, queue included (for benchmarks). */
  queuedMs = 0;
  /**
   * Per connection, this process's callers waiting for their turn to ask Postgres (one asks at a time): callers that
   * go first (`first`) ahead of the others, each in the order they came.
   */
  private readonly lines = new Map<string, Array<{ first: boolean; go: () => void }>>();
  /** Connections on which a caller of this process is asking now. */
  private readonly asking = new Set<string>();
  /** Per connection, wakes the waiter at the head of the queue (a call in this process has ended). */
  private readonly wakers = new Map<string, () => void>();
  /**
   * Per connection, a call that ended while a caller here was waiting: not yet marked finished, that caller's next
   * acquisition marks it (one round trip for both), so the slot passes on without a round trip of its own.
   */
  private readonly handovers = new Map<string, string>();
  /** The leases of this process's calls in flight, renewed together while there are any. */
  private readonly held = new Set<string>();
  private renewal: NodeJS.Timeout | undefined;

  constructor(private readonly db: Db, options: RateBudgetOptions) {
    this.clock = options.clock;
    this.maxWaitMs = options.maxWaitMs ?? 30_000;
    this.leaseTimeoutMs = options.leaseTimeoutMs ?? 15_000;
  }

  private hold(leaseId: string) {
    this.held.add(leaseId);
    this.renewal ??= setInterval(() => {
      // A failed renewal (Postgres restarting) is retried at the next tick; the lease has two more ticks to run.
      if (this.held.size) void this.db.updateTable('accounting_calls').set({ renewed_at: sql`clock_timestamp()` as never })
        .where('id', 'in', [...this.held]).execute().catch(() => undefined);
    }, Math.max(100, Math.floor(this.leaseTimeoutMs / 3))).unref();
  }

  private letGo(leaseId: string) {
    this.held.delete(leaseId);
    if (!this.held.size && this.renewal) {
      clearInterval(this.renewal);
      this.renewal = undefined;
    }
  }

  // The platform counts a call when it arrives, a moment after we count it, and that moment varies (a busy event
  // loop, a slow network): this margin keeps our window's edge behind theirs. 1% of a real minute (600 ms) costs
  // under 1% of the throughput; scaled-down minutes get at least 250 ms.
  private get marginMs() {
    return Math.max(250, Math.round(this.clock.minuteMs * 0.01));
  }

  /**
   * Waits for room and records the call; returns the lease to release when the call is over. Within a process the
   * callers of one connection queue in order and only the first asks Postgres, so a hundred waiting activities do
   * not take turns at the connection's lock; a call ending in this process wakes the first waiter at once. A call
   * others wait on (`first`: e.g. matching the contacts that invoice creations need) goes ahead of this process's queue.
   */
  async acquire(connection: BudgetedConnection, limits: PlatformLimits, kind?: CallKind, options: { first?: boolean } = {}): Promise<{ release(): Promise<void> }> {
    const askedAt = Date.now();
    const deadline = askedAt + this.maxWaitMs;
    await this.turn(connection.id, options.first ?? false);
    try {
      return await this.acquireFirstInLine(connection, limits, deadline, kind);
    } finally {
      this.queuedMs += Date.now() - askedAt;
      this.passTurn(connection.id);
    }
  }

  private async turn(connectionId: string, first: boolean): Promise<void> {
    if (!this.asking.has(connectionId)) {
      this.asking.add(connectionId);
      return;
    }
    await new Promise<void>((go) => {
      const line = this.lines.get(connectionId) ?? [];
      const behindFirst = first ? line.findIndex((w) => !w.first) : -1;
      line.splice(behindFirst === -1 ? line.length : behindFirst, 0, { first, go });
      this.lines.set(connectionId, line);
    });
  }

  private passTurn(connectionId: string) {
    const line = this.lines.get(connectionId);
    const next = line?.shift();
    if (!line?.length) this.lines.delete(connectionId);
    if (next) next.go();
    else this.asking.delete(connectionId);
  }

  private async acquireFirstInLine(connection: BudgetedConnection, limits: PlatformLimits, deadline: number, kind?: CallKind): Promise<{ release(): Promise<void> }> {
    for (;;) {
      const handedOver = this.handovers.get(connection.id);
      this.handovers.delete(connection.id);
      let decision: Awaited<ReturnType<RateBudget['tryAcquire']>>;
      try {
        decision = await this.tryAcquire(connection, limits, kind, handedOver);
      } catch (err) {
        // The ended call must not keep its slot until its lease runs out.
        if (handedOver) await this.finish(handedOver).catch(() => undefined);
        throw err;
      }
      if ('leaseId' in decision) {
        const leaseId = decision.leaseId;
        this.hold(leaseId);
        return {
          release: async () => {
            this.letGo(leaseId);
            const waiter = this.wakers.get(connection.id);
            if (waiter && !this.handovers.has(connection.id)) {
              this.handovers.set(connection.id, leaseId);
              waiter();
              return;
            }
            await this.finish(leaseId);
            this.wakers.get(connection.id)?.();
          },
        };
      }
      if (decision.reason === 'day' || Date.now() + decision.waitMs > deadline) {
        throw new RateBudgetExhausted(decision.waitMs, decision.reason === 'concurrent' ? 'minute' : decision.reason);
      }
      this.waitedMs += decision.waitMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, decision.waitMs);
        this.wakers.set(connection.id, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.wakers.delete(connection.id);
    }
  }

  private async finish(leaseId: string): Promise<void> {
    await this.db.updateTable('accounting_calls').set({ finished_at: sql`clock_timestamp()` as never }).where('id', '=', leaseId).execute();
  }

  /** Calls made in the rolling minute and day: what the connections view shows as remaining budget. */
  async usage(connectionId: string): Promise<{ minute: number; day: number }> {
    const minute = `${this.clock.minuteMs} milliseconds`;
    const day = `${this.clock.dayMs} milliseconds`;
    const result = await sql<{ minute: number; day: number }>`
      select count(*) filter (where started_at > clock_timestamp() - ${minute}::interval)::int as minute, count(*)::int as day
      from accounting_calls where connection_id = ${connectionId} and started_at > clock_timestamp() - ${day}::interval`.execute(this.db);
    return result.rows[0];
  }

  private async tryAcquire(
    connection: BudgetedConnection,
    limits: PlatformLimits,
    kind?: CallKind,
    release?: string,
  ): Promise<{ leaseId: string } | { waitMs: number; reason: 'minute' | 'day' | 'app' | 'concurrent' }> {
    const minute = `${this.clock.minuteMs + this.marginMs} milliseconds`;
    const day = `${this.clock.dayMs} milliseconds`;
    const lease = `${this.leaseTimeoutMs} milliseconds`;
    // One round trip (db/migrations/0006, 0017 for the batch kind): each one under the connection's lock is time a waiting call cannot start.
    const result = await sql<{ lease_id: string | null; wait_ms: number | null; reason: 'minute' | 'day' | 'app' | 'concurrent' | null }>`
      select lease_id, wait_ms, reason from settle_acquire_call(${connection.id}, ${connection.platform}, ${minute}::interval, ${day}::interval,
        ${lease}::interval, ${limits.perMinute}, ${limits.concurrent}, ${limits.perDay ?? null}, ${limits.appPerMinute ?? null},
        ${kind ?? null}::text, ${limits.batchPerMinute ?? null}::int, ${release ?? null}::bigint)`.execute(this.db);
    const row = result.rows[0];
    return row.lease_id !== null ? { leaseId: String(row.lease_id) } : { waitMs: row.wait_ms ?? 10, reason: row.reason ?? 'concurrent' };
  }
}
