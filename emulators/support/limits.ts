// Rate limits as the real APIs enforce them: calls per rolling window, and calls in flight at once.

/** Milliseconds since some origin; emulators take a clock so benchmarks can scale time. */
export type Clock = () => number;

export class SlidingWindowLimiter {
  private readonly calls = new Map<string, number[]>();
  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly clock: Clock = Date.now,
  ) {}

  /** Counts a call for `key` if the window has room. */
  tryAcquire(key: string): { ok: boolean; remaining: number; retryAfterMs: number } {
    const now = this.clock();
    const recent = (this.calls.get(key) ?? []).filter((t) => t > now - this.windowMs);
    this.calls.set(key, recent);
    if (recent.length >= this.limit) {
      return { ok: false, remaining: 0, retryAfterMs: recent[0] + this.windowMs - now };
    }
    recent.push(now);
    return { ok: true, remaining: this.limit - recent.length, retryAfterMs: 0 };
  }
}

export class ConcurrencyLimiter {
  private readonly inFlight = new Map<string, number>();
  constructor(readonly limit: number) {}

  tryEnter(key: string): boolean {
    const current = this.inFlight.get(key) ?? 0;
    if (current >= this.limit) return false;
    this.inFlight.set(key, current + 1);
    return true;
  }

  leave(key: string): void {
    this.inFlight.set(key, Math.max(0, (this.inFlight.get(key) ?? 1) - 1));
  }
}
