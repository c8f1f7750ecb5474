// The failed-authentication limiter on its own, with a clock the test moves: per address, per key, windows.
import type { Context } from 'koa';
import { AuthFailureLimiter } from '../../api/middleware/auth-failures';
import { ProblemError } from '../../api/problem';

let now = 1_000_000;
const limiter = () => new AuthFailureLimiter({ maxFailures: 3, windowMs: 60_000 }, () => now);
const from = (ip: string) => ({ ip }) as Context;
const fail = async () => undefined;
const succeed = async () => 'merchant';

async function refusal(attempt: Promise<unknown>): Promise<ProblemError | undefined> {
  try {
    await attempt;
    return undefined;
  } catch (err) {
    return err as ProblemError;
  }
}

it('blocks an address after its failures, whatever key it tries next, until the window ends', async () => {
  const l = limiter();
  for (let i = 0; i < 3; i++) expect(await l.check(from('10.0.0.1'), `guess-${i}`, fail)).toBeUndefined();
  const blocked = await refusal(l.check(from('10.0.0.1'), 'the-valid-key', succeed));
  expect(blocked).toMatchObject({ status: 429, slug: 'too-many-failed-attempts', headers: { 'Retry-After': '60' } });
  expect(await l.check(from('10.0.0.2'), 'the-valid-key', succeed)).toBe('merchant'); // another address is unaffected
  now += 30_000;
  expect((await refusal(l.check(from('10.0.0.1'), 'x', succeed)))?.headers['Retry-After']).toBe('30');
  now += 30_000;
  expect(await l.check(from('10.0.0.1'), 'the-valid-key', succeed)).toBe('merchant');
});

it('blocks a key that fails from many addresses', async () => {
  const l = limiter();
  for (let i = 0; i < 3; i++) await l.check(from(`10.1.0.${i}`), 'leaked-but-revoked', fail);
  expect((await refusal(l.check(from('10.1.0.9'), 'leaked-but-revoked', succeed)))?.status).toBe(429);
  expect(await l.check(from('10.1.0.9'), 'another-key', succeed)).toBe('merchant');
});

it('does not count successes', async () => {
  const l = limiter();
  for (let i = 0; i < 10; i++) expect(await l.check(from('10.2.0.1'), 'good', succeed)).toBe('merchant');
  await l.check(from('10.2.0.1'), 'bad', fail);
  await l.check(from('10.2.0.1'), 'bad', fail);
  expect(await l.check(from('10.2.0.1'), 'good', succeed)).toBe('merchant');
});
