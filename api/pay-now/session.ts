// Who is paying a quote: a guest, or a payer who logged in or registered. A sealed cookie (sealed-cookie.ts), one
// per quote payment, bound to it and valid for two hours. The workflow learns the payer when checkout begins.
import type { Context } from 'koa';
import { z } from 'zod';
import type { QuotePaymentRow } from '../../db/schema';
import type { Checkout } from '../../lib/quotes/methods';
import type { ApiDeps } from '../deps';
import { readSealedCookie, setSealedCookie } from './sealed-cookie';

const SESSION_TTL_MS = 2 * 3_600_000;
const PURPOSE = 'pay-now-session';

const sessionShape = z.object({
  quotePaymentId: z.string(),
  checkout: z.enum(['guest', 'payer']),
  payerId: z.string().optional(),
  exp: z.number(),
});
export type PayNowSession = z.infer<typeof sessionShape>;

// One cookie per quote payment: paying two quotes in two tabs keeps both sessions.
const cookieName = (quotePaymentId: string) => `pay_now_${quotePaymentId}`;

/** The session of this quote payment, if the browser has a valid, unexpired one. */
export function readSession(ctx: Context, deps: Pick<ApiDeps, 'keyring'>, row: QuotePaymentRow): PayNowSession | undefined {
  const session = readSealedCookie(ctx, deps, cookieName(row.id), PURPOSE, sessionShape);
  if (!session || session.quotePaymentId !== row.id) return undefined;
  if ((session.checkout === 'payer') !== Boolean(session.payerId)) return undefined;
  return session;
}

export function startSession(
  ctx: Context, deps: Pick<ApiDeps, 'keyring' | 'publicUrl'>, row: QuotePaymentRow, who: { checkout: Checkout; payerId?: string },
): void {
  const session: PayNowSession = { quotePaymentId: row.id, checkout: who.checkout, ...(who.payerId ? { payerId: who.payerId } : {}), exp: Date.now() + SESSION_TTL_MS };
  setSealedCookie(ctx, deps, cookieName(row.id), PURPOSE, session, SESSION_TTL_MS);
}
