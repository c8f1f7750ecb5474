// The failed-authentication limiter on its own, with a clock the test moves: per (address, target), per address,
// per target for payer accounts, windows — and a credential that verifies is never refused for its address.
import type { Context } from 'koa';
import { AuthFailureLimiter, keyTarget } from '../../api/middleware/auth-failures';
import { ProblemError } from '../../api/problem';

let now = 1_000_000;
const limiter = () => new AuthFailureLimiter({ maxFailures: 3, windowMs: 60_000 }, () => now);
const from = (ip: string) => ({ ip }) as Context;
let verified = 0;
const fail = async () => {
  verified++;
  return undefined;
};
const succeed = async () => {
  verified++;
  return 'merchant';
};

async function refusal(attempt: Promise<unknown>): Promise<ProblemError | undefined> {
  try {
    await attempt;
    return undefined;
  } catch (err) {
    return err as ProblemError;
  }
}

it('answers an address that keeps failing with 429 on its failures, while a key that verifies still passes', async () => {
  const l = limiter();
  for (let i = 0; i < 3; i++) expect(await l.check(from('10.0.0.1'), keyTarget(`sk_guess${i}_xxxx`), fail)).toBeUndefined();
  const blocked = await refusal(l.check(from('10.0.0.1'), keyTarget('sk_another_guess'), fail));
  expect(blocked).toMatchObject({ status: 429, slug: 'too-many-failed-attempts', headers: { 'Retry-After': '60' } });
  expect(await l.check(from('10.0.0.1'), keyTarget('sk_the_valid_key'), succeed)).toBe('merchant');
  expect(await l.check(from('10.0.0.2'), keyTarget('sk_guess_elsewhere'), fail)).toBeUndefined(); // another address: a plain failure
  now += 30_000;
  expect((await refusal(l.check(from('10.0.0.1'), keyTarget('sk_x'), fail)))?.headers['Retry-After']).toBe('30');
  now += 30_001;
  expect(await l.check(from('10.0.0.1'), keyTarget('sk_y'), fail)).toBeUndefined(); // the window ended
});

it('refuses guesses at one target from one address before verifying, and only that pair', async () => {
  const l = limiter();
  const target = keyTarget('sk_AbCdEfG_secret1');
  expect(target).toBe(keyTarget('sk_AbCdEfG_other')); // the public prefix, never the secret part
  for (let i = 0; i < 3; i++) await l.check(from('10.1.0.1'), target, fail);
  verified = 0;
  expect((await refusal(l.check(from('10.1.0.1'), target, succeed)))?.status).toBe(429);
  expect(verified).toBe(0); // nothing was looked up
  expect(await l.check(from('10.1.0.2'), target, succeed)).toBe('merchant');
});

it('with a target limit (payer passwords), refuses an account guessed at from many addresses, from every address', async () => {
  const l = limiter();
  const account = 'payer:mer_1:dana@example.com';
  for (let i = 0; i < 5; i++) await l.check(from(`10.2.0.${i}`), account, fail, { targetLimit: 5 });
  verified = 0;
  expect((await refusal(l.check(from('10.2.0.99'), account, succeed, { targetLimit: 5 })))?.status).toBe(429);
  expect(verified).toBe(0);
  expect(await l.check(from('10.2.0.99'), 'payer:mer_1:other@example.com', succeed, { targetLimit: 5 })).toBe('merchant');
});

it('does not count successes', async () => {
  const l = limiter();
  for (let i = 0; i < 10; i++) expect(await l.check(from('10.3.0.1'), keyTarget('sk_goodgood_1'), succeed)).toBe('merchant');
  await l.check(from('10.3.0.1'), keyTarget('sk_badbadba_1'), fail);
  await l.check(from('10.3.0.1'), keyTarget('sk_badbadba_2'), fail);
  expect(await l.check(from('10.3.0.1'), keyTarget('sk_goodgood_1'), succeed)).toBe('merchant');
});
