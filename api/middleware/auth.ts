// Authentication: merchant API keys (Bearer) scope a request to one merchant; the admin key opens admin routes.
// Every check runs under the failed-authentication limits (auth-failures.ts).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Db } from '../../db/database';
import { findMerchantByCpqKey } from '../../db/cpq-integrations';
import { findMerchant } from '../../db/merchants';
import type { CpqIntegration, Merchant } from '../../db/schema';
import { ProblemError } from '../problem';
import type { ApiKeyCache } from './api-key-cache';
import type { AuthFailureLimiter } from './auth-failures';
import type { RequestState } from './request-context';

/**
 * Who the API key says the caller is: only the merchant's id, remembered across requests (api-key-cache.ts). A route
 * that needs the merchant's settings reads them with `currentMerchant`, so it never sees a setting from before a save.
 */
export interface MerchantState extends RequestState {
  merchant: { id: string };
}

export function bearerToken(header: string): string | undefined {
  const match = /^Bearer\s+(\S{1,512})$/i.exec(header);
  return match?.[1];
}

export const unauthenticated = () =>
  new ProblemError('unauthenticated', 'a valid API key is required', {}, { 'WWW-Authenticate': 'Bearer' });

export function requireMerchant(apiKeys: ApiKeyCache, limiter: AuthFailureLimiter): Middleware<MerchantState> {
  return async (ctx, next) => {
    const token = bearerToken(ctx.get('authorization'));
    const merchantId = await limiter.check(ctx, token, async () => (token ? apiKeys.merchantIdFor(token) : undefined));
    if (!merchantId) throw unauthenticated();
    ctx.state.merchant = { id: merchantId };
    ctx.state.log = ctx.state.log.child({ merchantId });
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
export function requireCpq(db: Db, limiter: AuthFailureLimiter): Middleware<CpqState> {
  return async (ctx, next) => {
    const token = bearerToken(ctx.get('authorization'));
    const found = await limiter.check(ctx, token, async () => (token ? findMerchantByCpqKey(db, token) : undefined));
    if (!found) throw unauthenticated();
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

export function requireAdmin(adminApiKey: string, limiter: AuthFailureLimiter): Middleware<RequestState> {
  return async (ctx, next) => {
    const token = bearerToken(ctx.get('authorization'));
    const ok = await limiter.check(ctx, token, async () => (secretMatches(token, adminApiKey) ? true : undefined));
    if (!ok) throw unauthenticated();
    await next();
  };
}
