// Runs async steps of one workflow one at a time, in the order they were asked for. Update handlers and the
// main loop interleave at every await; money steps must not (two completions of one checkout would book twice).
// Deterministic: plain promise chaining, no timers.
export function serial(): <T>(step: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (step) => {
    const run = tail.then(step);
    tail = run.catch(() => undefined);
    return run;
  };
}
