// Authentication: merchant API keys (Bearer) scope a request to one merchant; the admin key opens admin routes.
// Every check runs under the failed-authentication limits (auth-failures.ts).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { Db } from '../../db/database';
import { findMerchantByCpqKey } from '../../db/cpq-integrations';
import { findMerchant } from '../../db/merchants';
import { sessionState } from '../../db/merchant-users';
import type { CpqIntegration, Merchant, MerchantUserRole } from '../../db/schema';
import { ProblemError } from '../problem';
import type { ApiKeyCache } from './api-key-cache';
import { KEY_PREFIX_LENGTH, keyTarget, type AuthFailureLimiter } from './auth-failures';
import type { RequestState } from './request-context';
import { refuseForgedWrite, sessionCookie } from './session';

/**
 * Who the API key says the caller is: only the merchant's id, remembered across requests (api-key-cache.ts). A route
 * that needs the merchant's settings reads them with `currentMerchant`, so it never sees a setting from before a save.
 */
export interface MerchantState extends RequestState {
  merchant: { id: string };
  /** A console user signed in by session cookie; absent for an API key, which may use every merchant route. */
  user?: { id: string; role: MerchantUserRole; platformAdmin: boolean };
}

export function bearerToken(header: string): string | undefined {
  const match = /^Bearer\s+(\S{1,512})$/i.exec(header);
  return match?.[1];
}

export const unauthenticated = () =>
  new ProblemError('unauthenticated', 'a valid API key is required', {}, { 'WWW-Authenticate': 'Bearer' });

/** The kinds of credential the API knows; each route takes one. */
export type CredentialKind = 'merchant API key' | 'admin key' | 'ConnectWise Sell (CPQ) key' | 'ops token';

/**
 * Which kind of credential `token` validly is, if any: asked only after it failed for the route at hand, so that a
 * good key on the wrong route is told so (403) instead of being counted as a guess.
 */
export type KindOf = (token: string) => Promise<CredentialKind | undefined>;

export function credentialKinds(deps: { apiKeys: ApiKeyCache; db: Db; adminApiKey: string; opsToken?: string }): KindOf {
  return async (token) => {
    if (secretMatches(token, deps.adminApiKey)) return 'admin key';
    if (deps.opsToken && secretMatches(token, deps.opsToken)) return 'ops token';
    if (await deps.apiKeys.merchantIdFor(token)) return 'merchant API key';
    if (await findMerchantByCpqKey(deps.db, token)) return 'ConnectWise Sell (CPQ) key';
    return undefined;
  };
}

/**
 * Verifies `token` as a `wanted` credential under the failed-authentication limits. A failure is 401 (or 429 from the
 * limits) — unless the token is a valid credential of another kind: then 403, and it is not counted as a guess.
 */
export async function authenticate<T>(ctx: Context, limiter: AuthFailureLimiter, token: string | undefined, wanted: CredentialKind,
  kindOf: KindOf, verify: (token: string) => Promise<T | undefined>): Promise<T> {
  let kind: CredentialKind | undefined;
  const found = await limiter.check(ctx, keyTarget(token), async () => (token ? verify(token) : undefined), {
    notAGuess: async () => {
      kind = token ? await kindOf(token) : undefined;
      return kind !== undefined && kind !== wanted;
    },
  });
  if (found !== undefined) return found;
  if (kind && kind !== wanted) throw new ProblemError('forbidden', `a ${kind} cannot be used here: this route needs a ${wanted}`);
  throw unauthenticated();
}

/**
 * A merchant route: an API key (Authorization: Bearer) or, with no Authorization header, the console's session cookie.
 * A cookie's write must prove it comes from the console (session.ts). A session that ended (idle, expired, signed out)
 * is a 401 counted under the limits against that cookie only, so it never blocks others behind the same address.
 */
export function requireMerchant(db: Db, apiKeys: ApiKeyCache, limiter: AuthFailureLimiter, kindOf: KindOf): Middleware<MerchantState> {
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    const sessionId = header ? undefined : sessionCookie(ctx);
    if (sessionId) {
      const state = await limiter.check(ctx, `session:${sessionId.slice(0, KEY_PREFIX_LENGTH)}`, () => sessionState(db, sessionId));
      if (!state) throw new ProblemError('unauthenticated', 'the console session ended (signed out or idle too long): sign in again');
      // Password given, second factor not yet (or enrolment the merchant requires): nothing opens until it is done.
      if (state.stage !== 'signed-in') {
        throw new ProblemError('unauthenticated', state.stage === 'second-factor'
          ? 'sign-in is not finished: send the code of your authenticator app (POST /v1/session/second-factor)'
          : 'your merchant requires two-factor sign-in: set it up first (POST /v1/session/two-factor)');
      }
      const { user } = state;
      refuseForgedWrite(ctx, sessionId);
      ctx.state.merchant = { id: user.merchant_id };
      ctx.state.user = { id: user.id, role: user.role, platformAdmin: user.platform_admin };
      ctx.state.log = ctx.state.log.child({ merchantId: user.merchant_id, userId: user.id });
      return next();
    }
    const token = bearerToken(header);
    const merchantId = await authenticate(ctx, limiter, token, 'merchant API key', kindOf, (t) => apiKeys.merchantIdFor(t));
    ctx.state.merchant = { id: merchantId };
    ctx.state.log = ctx.state.log.child({ merchantId });
    await next();
  };
}

/** Routes for a merchant's admins: a billing user of the console gets 403 (an API key is the merchant's own: allowed). */
export function requireMerchantAdmin(): Middleware<MerchantState> {
  return async (ctx, next) => {
    if (ctx.state.user && ctx.state.user.role !== 'admin') {
      throw new ProblemError('forbidden', 'this needs a merchant admin: billing users cannot change connections, integrations, keys, users or account settings');
    }
    await next();
  };
}

/**
 * After requireMerchant: only a Settle platform admin signed in to the console (what the platform decides for a
 * merchant, e.g. multi-connection). A merchant's own users and API keys get 403.
 */
export function requirePlatformAdmin(): Middleware<MerchantState> {
  return async (ctx, next) => {
    if (!ctx.state.user?.platformAdmin) {
      throw new ProblemError('forbidden', 'only a Settle platform admin can change this: ask Settle support (or use the platform admin API)');
    }
    await next();
  };
}

/** The authenticated merchant's row as it is now, for a route that needs its settings. */
export async function currentMerchant(db: Db, merchantId: string): Promise<Merchant> {
  const merchant = await findMerchant(db, merchantId);
  // Deleted since the key was checked (its keys went with it).
  if (!merchant) throw unauthenticated();
  return merchant;
}

export interface CpqState extends MerchantState {
  merchant: Merchant;
  cpq: CpqIntegration;
}

/** CPQ calls with the merchant's ConnectWise Sell key; a disabled integration is refused even with a valid key. */
export function requireCpq(db: Db, limiter: AuthFailureLimiter, kindOf: KindOf): Middleware<CpqState> {
  return async (ctx, next) => {
    const token = bearerToken(ctx.get('authorization'));
    const found = await authenticate(ctx, limiter, token, 'ConnectWise Sell (CPQ) key', kindOf, (t) => findMerchantByCpqKey(db, t));
    if (!found.integration.enabled) throw new ProblemError('integration-disabled', 'the ConnectWise Sell integration is disabled for this merchant');
    ctx.state.merchant = found.merchant;
    ctx.state.cpq = found.integration;
    ctx.state.log = ctx.state.log.child({ merchantId: found.merchant.id, via: 'cpq' });
    await next();
  };
}

/** Compares a presented secret with the expected one in constant time (hashes first: equal lengths, no length leak). */
export function secretMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

export function requireAdmin(adminApiKey: string, limiter: AuthFailureLimiter, kindOf: KindOf): Middleware<RequestState> {
  return async (ctx, next) => {
    const token = bearerToken(ctx.get('authorization'));
    await authenticate(ctx, limiter, token, 'admin key', kindOf, async (t) => (secretMatches(t, adminApiKey) ? true : undefined));
    await next();
  };
}
