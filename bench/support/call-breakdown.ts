// Where a benchmark's time went, from the calls the rate budget recorded (accounting_calls: each call from taking its
// slot to giving it back): time with at least one call in flight, how many were in flight on average then, and the
// time with none (activities and workflow tasks between calls, Postgres, the worker's own queueing).

export interface CallSpan {
  startMs: number;
  endMs: number;
}

export interface CallBreakdown {
  calls: number;
  /** The window: the first call's start to the last call's end. */
  windowSeconds: number;
  /** Summed over calls. */
  callSeconds: number;
  /** At least one call in flight. */
  busySeconds: number;
  /** No call in flight. */
  idleSeconds: number;
  /** callSeconds / busySeconds. */
  meanInFlightWhenBusy: number;
  /** callSeconds / windowSeconds. */
  meanInFlight: number;
  /** Seconds spent with exactly n calls in flight, n = 0.. */
  secondsAtInFlight: number[];
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;

/** The breakdown of `spans` (spans with no end yet count to the window's end). */
export function callBreakdown(spans: CallSpan[]): CallBreakdown {
  if (!spans.length) return { calls: 0, windowSeconds: 0, callSeconds: 0, busySeconds: 0, idleSeconds: 0, meanInFlightWhenBusy: 0, meanInFlight: 0, secondsAtInFlight: [] };
  const start = Math.min(...spans.map((s) => s.startMs));
  const end = Math.max(...spans.map((s) => Math.max(s.startMs, s.endMs)));
  // Sweep: +1 at each start, -1 at each end; ends before starts at the same instant.
  const events = spans.flatMap((s) => [{ at: s.startMs, d: 1 }, { at: Math.max(s.startMs, s.endMs), d: -1 }]).sort((a, b) => a.at - b.at || a.d - b.d);
  const at: number[] = [];
  let level = 0;
  let last = start;
  for (const e of events) {
    at[level] = (at[level] ?? 0) + (e.at - last);
    level += e.d;
    last = e.at;
  }
  const secondsAt = Array.from({ length: at.length }, (_, n) => r3((at[n] ?? 0) / 1000));
  const callMs = spans.reduce((sum, s) => sum + Math.max(0, s.endMs - s.startMs), 0);
  const idleMs = at[0] ?? 0;
  const busyMs = end - start - idleMs;
  return {
    calls: spans.length,
    windowSeconds: r3((end - start) / 1000),
    callSeconds: r3(callMs / 1000),
    busySeconds: r3(busyMs / 1000),
    idleSeconds: r3(idleMs / 1000),
    meanInFlightWhenBusy: busyMs > 0 ? r3(callMs / busyMs) : 0,
    meanInFlight: end > start ? r3(callMs / (end - start)) : 0,
    secondsAtInFlight: secondsAt,
  };
}
