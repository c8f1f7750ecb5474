// For state that changes in the background where there is nothing to await (a workflow moving on after a webhook,
// an import writing its progress): read it again every `everyMs` until it is as expected, for at most `timeoutMs`.
export async function eventually<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, opts: { timeoutMs?: number; everyMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`never: ${what}; last seen ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 50));
  }
}
