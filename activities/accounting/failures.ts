// How accounting errors become Temporal retry decisions: the platform's own delay where it gave one, no
// retry where retrying cannot help, and the default backoff for outages.
import { ApplicationFailure } from '@temporalio/common';
import { ConnectionUnavailable } from './connections';
import { PlatformNotFound, PlatformRateLimited, PlatformRejected, PlatformUnauthorized } from './platform';
import { RateBudgetExhausted } from './rate-budget';
import { CONNECTION_UNAVAILABLE } from '../../lib/temporal/reconnection';

// Every workflow that uses the books proxies with waitsForConnection (workflows/support/reconnection.ts) and does not
// retry this failure: it waits for the reconnect signal. Runs started before that (unpatched) retry it every minute,
// which costs a Postgres read.
const RECONNECT_CHECK_MS = 60_000;

export function toActivityFailure(err: unknown): unknown {
  if (err instanceof PlatformRateLimited || err instanceof RateBudgetExhausted) {
    return ApplicationFailure.create({
      type: err.constructor.name,
      message: err.message,
      nextRetryDelay: Math.max(1, err.retryAfterMs),
    });
  }
  if (err instanceof ConnectionUnavailable) {
    return ApplicationFailure.create({ type: CONNECTION_UNAVAILABLE, message: err.message, nextRetryDelay: RECONNECT_CHECK_MS });
  }
  if (err instanceof PlatformUnauthorized) {
    // The token was refused although it looked valid: the caller marked it stale; retry at once with a new one.
    return ApplicationFailure.create({ type: 'PlatformUnauthorized', message: err.message, nextRetryDelay: 1 });
  }
  if (err instanceof PlatformRejected) {
    return ApplicationFailure.create({ type: 'PlatformRejected', message: err.message, details: [err.details], nonRetryable: true });
  }
  if (err instanceof PlatformNotFound) {
    return ApplicationFailure.create({ type: 'PlatformNotFound', message: err.message, nonRetryable: true });
  }
  return err;
}
