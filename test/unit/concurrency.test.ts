// forEachLimited: never more than `limit` at once, every item once, and a failure stops new work.
import fc from 'fast-check';
import { forEachLimited } from '../../lib/concurrency';

it('runs every item once with at most `limit` at a time', async () => {
  await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 40 }), fc.integer({ min: 1, max: 6 }), async (delays, limit) => {
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    await forEachLimited(delays.map((d, i) => [d, i] as const), limit, async ([d, i]) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, d));
      seen.push(i);
      running--;
    });
    expect(seen.sort((a, b) => a - b)).toEqual(delays.map((_, i) => i));
    expect(most).toBeLessThanOrEqual(limit);
  }), { numRuns: 40 });
});

it('rejects with the first failure and starts nothing after it', async () => {
  const started: number[] = [];
  await expect(forEachLimited([0, 1, 2, 3, 4, 5], 2, async (i) => {
    started.push(i);
    await new Promise((r) => setTimeout(r, 5));
    if (i === 1) throw new Error('item 1 failed');
  })).rejects.toThrow('item 1 failed');
  expect(started).toEqual([0, 1, 2]); // 2 had started beside 1; nothing after the failure
});
