// A registered payer signed in to a merchant's invoice pages: a sealed cookie (../sealed-cookie.ts) bound to the
// merchant and the payer, valid for two hours. Separate from quote sessions (its own purpose and name).
import type { Context } from 'koa';
import { z } from 'zod';
import type { ApiDeps } from '../../deps';
import { readSealedCookie, setSealedCookie } from '../sealed-cookie';

const SESSION_TTL_MS = 2 * 3_600_000;
const PURPOSE = 'pay-now-payer-session';

const sessionShape = z.object({ merchantId: z.string(), payerId: z.string(), exp: z.number() });
export type PayerSession = z.infer<typeof sessionShape>;

// One per merchant: a payer of two merchants keeps both sessions.
const cookieName = (merchantId: string) => `pay_now_payer_${merchantId}`;

export function readPayerSession(ctx: Context, deps: Pick<ApiDeps, 'keyring'>, merchantId: string): PayerSession | undefined {
  const session = readSealedCookie(ctx, deps, cookieName(merchantId), PURPOSE, sessionShape);
  return session?.merchantId === merchantId ? session : undefined;
}

export function startPayerSession(ctx: Context, deps: Pick<ApiDeps, 'keyring' | 'publicUrl'>, merchantId: string, payerId: string): void {
  setSealedCookie(ctx, deps, cookieName(merchantId), PURPOSE, { merchantId, payerId, exp: Date.now() + SESSION_TTL_MS }, SESSION_TTL_MS);
}

export function endPayerSession(ctx: Context, deps: Pick<ApiDeps, 'keyring' | 'publicUrl'>, merchantId: string): void {
  setSealedCookie(ctx, deps, cookieName(merchantId), PURPOSE, undefined, 0);
}
