// Failed authentication slows the guesser down without locking out anyone whose credential is good.
//
// What is counted, in windows of `windowMs`:
// - the pair (client address, target): the target is what is being guessed — an API key's public prefix (its first
//   characters, also shown to merchants), a payer's email. After `maxFailures`, that pair gets 429 with Retry-After
//   before anything is looked up: guessing one key's secret or one payer's password from one address stops there.
// - the client address alone: after `maxFailures` failures of any kind, its *failures* are answered 429 instead of
//   401. A credential that verifies is always let through, so an office behind one NAT address keeps working while a
//   script in it guesses (every guess still costs it one request, and 256-bit keys leave nothing to find).
// - optionally the target alone (`targetLimit`, payer passwords only): a password is weak enough that guesses spread
//   over many addresses matter, so past a higher limit that account refuses before verifying, from everywhere.
// A success never counts and never resets a count. A valid credential of another kind (a merchant key on an admin
// route) is a 403 from the caller, not a failure: it is a mistake, not a guess.
//
// Kept in this process, not in Postgres, on purpose: the API runs as several replicas behind a load balancer, so the
// effective limit is `maxFailures` × replicas per window — still far too few guesses against 256-bit keys — and a
// shared counter would turn every failed attempt into a database write. The table of windows is bounded, so a flood
// of new addresses or targets cannot grow memory without limit. Behind a proxy, set SETTLE_TRUST_PROXY=1 so the
// address is the client's (X-Forwarded-For), not the proxy's.
import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import { ProblemError } from '../problem';

export interface AuthFailureLimits {
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_AUTH_FAILURE_LIMITS: AuthFailureLimits = { maxFailures: 20, windowMs: 5 * 60_000 };

/** How many characters of an API key are its public prefix (db/merchants.ts stores the same). */
export const KEY_PREFIX_LENGTH = 10;

const MAX_TRACKED = 100_000;

interface Window {
  failures: number;
  endsAt: number;
}

export interface CheckOptions {
  /** Failures of the target from all addresses after which it refuses before verifying (payer passwords). */
  targetLimit?: number;
  /** Asked after a failure: true when the credential is a valid one of another kind, a mistake not to be counted. */
  notAGuess?: () => Promise<boolean>;
}

/** The target of an API key: its public prefix, never the secret part. */
export function keyTarget(presentedKey: string | undefined): string {
  return presentedKey ? `key:${presentedKey.slice(0, KEY_PREFIX_LENGTH)}` : 'key:none';
}

const hashed = (value: string) => createHash('sha256').update(value).digest('base64url');

export class AuthFailureLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limits: AuthFailureLimits = DEFAULT_AUTH_FAILURE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Runs `verify` for a credential aimed at `target` under the limits. A result of `undefined` is a failure: counted,
   * and answered 429 when the address has failed too often (the caller answers 401 otherwise).
   */
  async check<T>(ctx: Context, target: string, verify: () => Promise<T | undefined>, opts: CheckOptions = {}): Promise<T | undefined> {
    const address = `address:${ctx.ip}`;
    const pair = `pair:${ctx.ip}:${hashed(target)}`;
    const targetAlone = `target:${hashed(target)}`;
    this.refuseAfter(this.blockedForMs(pair, this.limits.maxFailures));
    if (opts.targetLimit) this.refuseAfter(this.blockedForMs(targetAlone, opts.targetLimit));
    const result = await verify();
    if (result !== undefined) return result;
    if (opts.notAGuess && (await opts.notAGuess())) return undefined;
    // Judged on the failures before this one: the first `maxFailures` are answered 401, the ones after 429.
    const addressBlockedMs = this.blockedForMs(address, this.limits.maxFailures);
    this.recordFailure([address, pair, ...(opts.targetLimit ? [targetAlone] : [])]);
    this.refuseAfter(addressBlockedMs);
    return undefined;
  }

  /** How long `subject` stays refused (0: not refused); a window that ended is forgotten. */
  private blockedForMs(subject: string, maxFailures: number): number {
    const window = this.windows.get(subject);
    if (!window) return 0;
    const now = this.now();
    if (window.endsAt <= now) {
      this.windows.delete(subject);
      return 0;
    }
    return window.failures >= maxFailures ? window.endsAt - now : 0;
  }

  private refuseAfter(blockedMs: number): void {
    if (blockedMs <= 0) return;
    const seconds = Math.ceil(blockedMs / 1000);
    throw new ProblemError('too-many-failed-attempts', `too many failed authentication attempts; try again in ${seconds} s`, {},
      { 'Retry-After': String(seconds) });
  }

  private recordFailure(subjects: string[]): void {
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
}
