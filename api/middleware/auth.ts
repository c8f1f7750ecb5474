// Authentication: merchant API keys (Bearer) scope a request to one merchant; the admin key opens admin routes.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Db } from '../../db/database';
import { findMerchantByCpqKey } from '../../db/cpq-integrations';
import { findMerchantByApiKey } from '../../db/merchants';
import type { CpqIntegration, Merchant } from '../../db/schema';
import { ProblemError } from '../problem';
import type { RequestState } from './request-context';

export interface MerchantState extends RequestState {
  merchant: Merchant;
}

function bearerToken(header: string): string | undefined {
  const match = /^Bearer\s+(\S{1,512})$/i.exec(header);
  return match?.[1];
}

const unauthenticated = () =>
  new ProblemError('unauthenticated', 'a valid API key is required', {}, { 'WWW-Authenticate': 'Bearer' });

export function requireMerchant(db: Db): Middleware<MerchantState> {
  return async (ctx, next) => {
    const token = bearerToken(ctx.get('authorization'));
    if (!token) throw unauthenticated();
    const merchant = await findMerchantByApiKey(db, token);
    if (!merchant) throw unauthenticated();
    ctx.state.merchant = merchant;
    ctx.state.log = ctx.state.log.child({ merchantId: merchant.id });
    await next();
  };
}

export interface CpqState extends MerchantState {
  cpq: CpqIntegration;
}

/** CPQ calls with the merchant's ConnectWise Sell key; a disabled integration is refused even with a valid key. */
export function requireCpq(db: Db): Middleware<CpqState> {
  return async (ctx, next) => {
    const token = bearerToken(ctx.get('authorization'));
    const found = token ? await findMerchantByCpqKey(db, token) : undefined;
    if (!found) throw unauthenticated();
    if (!found.integration.enabled) throw new ProblemError('integration-disabled', 'the ConnectWise Sell integration is disabled for this merchant');
    ctx.state.merchant = found.merchant;
    ctx.state.cpq = found.integration;
    ctx.state.log = ctx.state.log.child({ merchantId: found.merchant.id, via: 'cpq' });
    await next();
  };
}

export function requireAdmin(adminApiKey: string): Middleware<RequestState> {
  const expected = createHash('sha256').update(adminApiKey).digest();
  return async (ctx, next) => {
    const token = bearerToken(ctx.get('authorization'));
    const given = createHash('sha256').update(token ?? '').digest();
    if (!token || !timingSafeEqual(given, expected)) throw unauthenticated();
    await next();
  };
}
