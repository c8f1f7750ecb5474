// A payer's password sign-in on any Pay Now page, under the same failed-authentication limits as API keys (per
// address and email, per address): past them the payer sees a "try again later" page. A password is weaker than a
// key, so an account guessed at from many addresses also stops checking passwords past PAYER_ACCOUNT_LIMIT.
import type { Context } from 'koa';
import { authenticatePayer } from '../../db/payers';
import type { Payer } from '../../db/schema';
import type { ApiDeps } from '../deps';
import type { AuthFailureLimiter } from '../middleware/auth-failures';
import { ProblemError } from '../problem';
import { PageError } from './requests';

/** Failed sign-ins of one payer account, from every address, after which it refuses before checking (per window). */
const PAYER_ACCOUNT_LIMIT = 100;

export async function payerSignIn(ctx: Context, deps: Pick<ApiDeps, 'db' | 'keyring'>, limiter: AuthFailureLimiter,
  merchantId: string, email: string, password: string): Promise<Payer | undefined> {
  try {
    // The email is the target: the limiter counts a hash of it, never the address itself.
    return await limiter.check(ctx, `payer:${merchantId}:${email.trim().toLowerCase()}`, () => authenticatePayer(deps.db, deps.keyring, merchantId, email, password),
      { targetLimit: PAYER_ACCOUNT_LIMIT });
  } catch (err) {
    if (!(err instanceof ProblemError) || err.status !== 429) throw err;
    const seconds = err.headers['Retry-After'] ?? '60';
    ctx.set('Retry-After', seconds);
    throw new PageError(429, 'Too many attempts', `Too many failed sign-ins. Try again in ${seconds} seconds.`);
  }
}
