// Each platform's published limits, per connection (tenant or realm) unless named app-wide.
// Settle stays inside them on its own (rate-budget.ts); a 429 is then the exception, not the pacing.
import type { PlatformName } from './platform';

export interface PlatformLimits {
  perMinute: number;
  concurrent: number;
  perDay?: number;
  /** Across every tenant of Settle's app. */
  appPerMinute?: number;
  /** Payments one API call can carry (Xero batches; QuickBooks cannot batch with an idempotency key). */
  paymentsPerCall: number;
}

export const PLATFORM_LIMITS: Record<PlatformName, PlatformLimits> = {
  xero: { perMinute: 60, concurrent: 5, perDay: 5000, appPerMinute: 10_000, paymentsPerCall: 50 },
  quickbooks: { perMinute: 500, concurrent: 10, paymentsPerCall: 1 },
};

/** The length of a "minute" and a "day": real by default, scaled down by benchmarks against emulators. */
export interface BudgetClock {
  minuteMs: number;
  dayMs: number;
}

export const REAL_TIME: BudgetClock = { minuteMs: 60_000, dayMs: 86_400_000 };
