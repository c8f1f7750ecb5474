// Failed authentication is limited per client address and per presented key: after `maxFailures` failures within
// `windowMs`, that address (or anyone presenting that key) gets 429 with Retry-After until the window ends, before
// any key is looked up, so guessing cannot continue. A success never counts (and never resets a count: one valid
// key must not let its holder keep guessing others).
//
// Kept in this process, not in Postgres, on purpose: the API runs as several replicas behind a load balancer, so
// the effective limit is `maxFailures` × replicas per window. That is still far too few guesses against 256-bit
// random keys, and a shared counter would turn every failed attempt into a database write: an attacker's
// requests would load Postgres, which the payments need. The table of windows is bounded, so a flood of new
// addresses or keys cannot grow memory without limit. Behind a proxy, set SETTLE_TRUST_PROXY=1 so the address is
// the client's (X-Forwarded-For), not the proxy's — otherwise everyone shares the proxy's address.
import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import { ProblemError } from '../problem';

export interface AuthFailureLimits {
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_AUTH_FAILURE_LIMITS: AuthFailureLimits = { maxFailures: 20, windowMs: 5 * 60_000 };

const MAX_TRACKED = 100_000;

interface Window {
  failures: number;
  endsAt: number;
}

export class AuthFailureLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limits: AuthFailureLimits = DEFAULT_AUTH_FAILURE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** What a request is counted under: its address and, when it presented one, a hash of its key (never the key). */
  static subjects(ctx: Context, presentedKey: string | undefined): string[] {
    const subjects = [`address:${ctx.ip}`];
    if (presentedKey) subjects.push(`key:${createHash('sha256').update(presentedKey).digest('base64url')}`);
    return subjects;
  }

  /** Throws 429 when any subject has used up its failures in the current window. */
  assertAllowed(subjects: string[]): void {
    const now = this.now();
    let retryAfterMs = 0;
    for (const subject of subjects) {
      const window = this.windows.get(subject);
      if (!window) continue;
      if (window.endsAt <= now) this.windows.delete(subject);
      else if (window.failures >= this.limits.maxFailures) retryAfterMs = Math.max(retryAfterMs, window.endsAt - now);
    }
    if (retryAfterMs > 0) {
      const seconds = Math.ceil(retryAfterMs / 1000);
      throw new ProblemError('too-many-failed-attempts', `too many failed authentication attempts; try again in ${seconds} s`, {},
        { 'Retry-After': String(seconds) });
    }
  }

  recordFailure(subjects: string[]): void {
    const now = this.now();
    for (const subject of subjects) {
      const window = this.windows.get(subject);
      if (window && window.endsAt > now) {
        window.failures += 1;
        continue;
      }
      // Full: drop the oldest entries (a Map iterates in insertion order), not the new attempt's count.
      while (this.windows.size >= MAX_TRACKED) this.windows.delete(this.windows.keys().next().value!);
      this.windows.set(subject, { failures: 1, endsAt: now + this.limits.windowMs });
    }
  }

  /**
   * Runs `verify` for a presented credential under the limits: refused at once when blocked; a result of
   * `undefined` counts as a failure.
   */
  async check<T>(ctx: Context, presentedKey: string | undefined, verify: () => Promise<T | undefined>): Promise<T | undefined> {
    const subjects = AuthFailureLimiter.subjects(ctx, presentedKey);
    this.assertAllowed(subjects);
    const result = await verify();
    if (result === undefined) this.recordFailure(subjects);
    return result;
  }
}
