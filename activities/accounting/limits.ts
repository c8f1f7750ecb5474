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
  /**
   * Sales invoices one write call creates, and so one lookup by number checks first (Xero: 50 a PUT; QuickBooks: the
   * items of one batch request).
   */
  invoicesPerCall: number;
  /** Contacts one lookup finds (by name) or one write creates. */
  contactsPerCall: number;
  /**
   * Account numbers one lookup finds. QuickBooks cannot filter on them: one read of the customers answers any number
   * of them, so it is unbounded there.
   */
  accountNumbersPerLookup: number;
  /**
   * A separate, lower limit on batch requests (QuickBooks' /batch: 40 a minute per company), counted on top of
   * `perMinute`. Calls are metered as batches when the caller says so (the rate budget's `batch` kind).
   */
  batchPerMinute?: number;
}

export const PLATFORM_LIMITS: Record<PlatformName, PlatformLimits> = {
  xero: { perMinute: 60, concurrent: 5, perDay: 5000, appPerMinute: 10_000, paymentsPerCall: 50, invoicesPerCall: 50, contactsPerCall: 50, accountNumbersPerLookup: 50 },
  // Batch requests carry 30 items (node-quickbooks' and Intuit's documented maximum for /batch).
  quickbooks: { perMinute: 500, concurrent: 10, paymentsPerCall: 1, invoicesPerCall: 30, contactsPerCall: 30,
    accountNumbersPerLookup: Number.MAX_SAFE_INTEGER, batchPerMinute: 40 },
};

/** The length of a "minute" and a "day": real by default, scaled down by benchmarks against emulators. */
export interface BudgetClock {
  minuteMs: number;
  dayMs: number;
}

export const REAL_TIME: BudgetClock = { minuteMs: 60_000, dayMs: 86_400_000 };
