// Waiting, durably, for the merchant to reconnect the books. An accounting activity proxied with
// `waitsForConnection(retry)` fails at once (not retried every minute) while the connection is unavailable; `run`
// then registers the workflow as waiting and sleeps until the reconnect signal, then runs the call again with its
// same idempotency key, so the write happens exactly once. No call reaches the platform while it waits. A check
// every few hours covers a signal that was lost (an API that crashed between connecting and signalling).
import { ActivityFailure, ApplicationFailure, condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { ACCOUNTING_RECONNECTED_SIGNAL, CONNECTION_UNAVAILABLE } from '../../lib/temporal/reconnection';

export const accountingReconnected = defineSignal(ACCOUNTING_RECONNECTED_SIGNAL);

const RECHECK = '6 hours';

/** A retry policy that leaves the unavailable connection to `run` (the activity's failure is not retried). */
export function waitsForConnection<R extends object>(retry: R): R & { nonRetryableErrorTypes: string[] } {
  const existing = (retry as { nonRetryableErrorTypes?: string[] }).nonRetryableErrorTypes ?? [];
  return { ...retry, nonRetryableErrorTypes: [...existing, CONNECTION_UNAVAILABLE] };
}

export function isConnectionUnavailable(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === CONNECTION_UNAVAILABLE;
}

export interface ReconnectionWait {
  /** Runs an accounting call; while its connection is unavailable, waits for the merchant to reconnect, then again. */
  run<T>(call: () => Promise<T>): Promise<T>;
  /** True while the workflow waits (for its state query). */
  readonly waiting: boolean;
}

/** `taskQueue`: the accounting queue of the calls (the registration runs there and checks that role's connection). */
export function reconnectionWait(merchantId: string, taskQueue: string): ReconnectionWait {
  let woken = false;
  let waiting = false;
  setHandler(accountingReconnected, () => {
    woken = true;
  });
  const { awaitAccountingConnection } = proxyActivities<activities.Activities>({
    taskQueue, startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  return {
    get waiting() {
      return waiting;
    },
    async run<T>(call: () => Promise<T>): Promise<T> {
      for (;;) {
        try {
          return await call();
        } catch (err) {
          if (!isConnectionUnavailable(err)) throw err;
        }
        waiting = true;
        woken = false;
        const { connected } = await awaitAccountingConnection({ merchantId });
        if (!connected) await condition(() => woken, RECHECK);
        waiting = false;
      }
    },
  };
}
