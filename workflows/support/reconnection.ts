// Waiting, durably, for the merchant to reconnect the books. An accounting activity proxied with
// `waitsForConnection(retry)` fails at once (not retried every minute) while the connection is unavailable; `run`
// then registers the workflow as waiting and sleeps until the reconnect signal, then runs the call again with its
// same idempotency key, so the write happens exactly once. No call reaches the platform while it waits. A check
// every few hours covers a signal that was lost (an API that crashed between connecting and signalling).
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  defineSignal,
  proxyActivities,
  setHandler,
  type ActivityInterfaceFor,
  type ActivityOptions,
} from '@temporalio/workflow';
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
  /** False for a run started before its workflow waited (its `patched()` said so): `retry` and `run` change nothing. */
  readonly enabled: boolean;
  /** The retry policy of the proxies whose calls go through `run`. */
  retry<R extends object>(retry: R): R;
  /**
   * Runs an accounting call on `taskQueue` (an accounting queue: the registration runs there and checks that role's
   * connection); while the connection is unavailable, waits for the merchant to reconnect, then runs it again.
   * Several calls may wait at once (parallel chunks): one reconnect wakes them all.
   */
  run<T>(taskQueue: string, call: () => Promise<T>): Promise<T>;
  /** `proxyActivities` on an accounting queue whose every call goes through `run` (with the retry policy it needs). */
  proxy(options: ActivityOptions & { taskQueue: string }): ActivityInterfaceFor<activities.Activities>;
  /** True while any call waits (for the workflow's state query). */
  readonly waiting: boolean;
}

/**
 * `enabled`: the workflow's `patched()` answer for waiting (runs started before it retry an unavailable connection every
 * minute, as they did). Call once per workflow: it owns the reconnect signal's handler.
 */
export function reconnectionWait(merchantId: string, enabled = true): ReconnectionWait {
  let wakeups = 0;
  let waiters = 0;
  setHandler(accountingReconnected, () => {
    wakeups++;
  });
  const registrars = new Map<string, activities.Activities['awaitAccountingConnection']>();
  const registrarOn = (taskQueue: string) => {
    let registrar = registrars.get(taskQueue);
    if (!registrar) {
      registrar = proxyActivities<activities.Activities>({
        taskQueue, startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
      }).awaitAccountingConnection;
      registrars.set(taskQueue, registrar);
    }
    return registrar;
  };
  const wait: ReconnectionWait = {
    enabled,
    get waiting() {
      return waiters > 0;
    },
    retry<R extends object>(retry: R): R {
      return enabled ? waitsForConnection(retry) : retry;
    },
    async run<T>(taskQueue: string, call: () => Promise<T>): Promise<T> {
      if (!enabled) return call();
      for (;;) {
        try {
          return await call();
        } catch (err) {
          if (!isConnectionUnavailable(err)) throw err;
        }
        waiters++;
        try {
          // A signal from here on is this wait's: the registration below either sees the connection or is signalled.
          const seen = wakeups;
          const { connected } = await registrarOn(taskQueue)({ merchantId });
          if (!connected) await condition(() => wakeups !== seen, RECHECK);
        } finally {
          waiters--;
        }
      }
    },
    proxy(options) {
      const proxied = proxyActivities<activities.Activities>({ ...options, retry: enabled ? waitsForConnection(options.retry ?? {}) : options.retry });
      if (!enabled) return proxied;
      return new Proxy(proxied, {
        get: (target, name) => {
          const activity = Reflect.get(target, name) as (...args: unknown[]) => Promise<unknown>;
          return (...args: unknown[]) => wait.run(options.taskQueue, () => activity(...args));
        },
      });
    },
  };
  return wait;
}
