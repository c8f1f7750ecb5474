// Xero's API limits, enforced like Xero enforces them: per tenant 60 calls a minute, 5 in flight and 5,000 a day,
// and 10,000 calls a minute across the whole app. A call over a limit gets 429 with Retry-After (whole seconds)
// and X-Rate-Limit-Problem naming the limit; every answer tells the remaining budget in X-MinLimit-Remaining,
// X-DayLimit-Remaining and X-AppMinLimit-Remaining.
import { ConcurrencyLimiter, SlidingWindowLimiter, type Clock } from '../support/limits';
import type { EmulatorResponse } from '../support/server';
import type { Wire } from './wire';

export interface XeroLimits {
  perMinute: number;
  concurrent: number;
  perDay: number;
  appPerMinute: number;
  /** The length of a "minute" and a "day": benchmarks scale them down. */
  minuteMs: number;
  dayMs: number;
}

export const XERO_LIMITS: XeroLimits = {
  perMinute: 60,
  concurrent: 5,
  perDay: 5000,
  appPerMinute: 10_000,
  minuteMs: 60_000,
  dayMs: 86_400_000,
};

export type RateLimitProblem = 'minute' | 'concurrent' | 'day' | 'appminute';

const APP = 'app';

export class XeroRateLimits {
  private readonly minute: SlidingWindowLimiter;
  private readonly day: SlidingWindowLimiter;
  private readonly appMinute: SlidingWindowLimiter;
  private readonly inFlight: ConcurrencyLimiter;
  /** The last remaining counts per connection, for the headers of answers that did not consume a window. */
  private readonly remaining = new Map<string, { minute: number; day: number }>();
  private appRemaining: number;

  constructor(readonly limits: XeroLimits, clock: Clock, private readonly wire: Wire) {
    this.minute = new SlidingWindowLimiter(limits.perMinute, limits.minuteMs, clock);
    this.day = new SlidingWindowLimiter(limits.perDay, limits.dayMs, clock);
    this.appMinute = new SlidingWindowLimiter(limits.appPerMinute, limits.minuteMs, clock);
    this.inFlight = new ConcurrencyLimiter(limits.concurrent);
    this.appRemaining = limits.appPerMinute;
  }

  /**
   * Runs `next` inside the limits of a connection (an app's grant to a tenant), or answers 429. The concurrency slot is taken first and given back on
   * refusal, so a refused call does not hold a slot. Windows are checked day, minute, app minute; a call refused by
   * a later window has still used the earlier ones (Xero counts refused calls too).
   */
  async run(connection: string, next: () => Promise<EmulatorResponse>): Promise<EmulatorResponse> {
    let known = this.remaining.get(connection);
    if (!known) this.remaining.set(connection, (known = { minute: this.limits.perMinute, day: this.limits.perDay }));
    const counts = known;
    const withHeaders = (res: EmulatorResponse): EmulatorResponse => ({
      ...res,
      headers: {
        ...res.headers,
        'x-minlimit-remaining': String(counts.minute),
        'x-daylimit-remaining': String(counts.day),
        'x-appminlimit-remaining': String(this.appRemaining),
      },
    });
    if (!this.inFlight.tryEnter(connection)) return withHeaders(this.wire.rateLimited(1, 'concurrent'));
    try {
      const day = this.day.tryAcquire(connection);
      counts.day = day.remaining;
      if (!day.ok) return withHeaders(this.wire.rateLimited(day.retryAfterMs / 1000, 'day'));
      const minute = this.minute.tryAcquire(connection);
      counts.minute = minute.remaining;
      if (!minute.ok) return withHeaders(this.wire.rateLimited(minute.retryAfterMs / 1000, 'minute'));
      const app = this.appMinute.tryAcquire(APP);
      this.appRemaining = app.remaining;
      if (!app.ok) return withHeaders(this.wire.rateLimited(app.retryAfterMs / 1000, 'appminute'));
      return withHeaders(await next());
    } finally {
      this.inFlight.leave(connection);
    }
  }
}
