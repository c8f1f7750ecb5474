// Who is paying a quote: a guest, or a payer who logged in or registered. Kept in the browser as a sealed cookie
// (AES-GCM with the keyring, so it can be neither read nor forged), one per quote payment, bound to it and
// valid for two hours. The server keeps nothing: the workflow learns the payer when checkout begins.
import type { Context } from 'koa';
import { z } from 'zod';
import type { QuotePaymentRow } from '../../db/schema';
import { open, seal } from '../../lib/crypto/sealed-box';
import type { Checkout } from '../../lib/quotes/methods';
import type { ApiDeps } from '../deps';

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
  const value = ctx.cookies.get(cookieName(row.id));
  if (!value) return undefined;
  try {
    const session = sessionShape.parse(JSON.parse(open(deps.keyring, value, PURPOSE)));
    if (session.quotePaymentId !== row.id || session.exp <= Date.now()) return undefined;
    if ((session.checkout === 'payer') !== Boolean(session.payerId)) return undefined;
    return session;
  } catch {
    return undefined; // sealed with a retired key, tampered with, or not ours: as if there were none
  }
}

export function startSession(
  ctx: Context, deps: Pick<ApiDeps, 'keyring' | 'publicUrl'>, row: QuotePaymentRow, who: { checkout: Checkout; payerId?: string },
): void {
  const session: PayNowSession = { quotePaymentId: row.id, checkout: who.checkout, ...(who.payerId ? { payerId: who.payerId } : {}), exp: Date.now() + SESSION_TTL_MS };
  const attributes = [`Max-Age=${SESSION_TTL_MS / 1000}`, 'Path=/pay', 'HttpOnly', 'SameSite=Lax'];
  // Set by hand: Koa refuses a Secure cookie on a plain connection, which is what a TLS-terminating proxy forwards.
  if (deps.publicUrl.startsWith('https:')) attributes.push('Secure');
  ctx.append('Set-Cookie', [`${cookieName(row.id)}=${seal(deps.keyring, JSON.stringify(session), PURPOSE)}`, ...attributes].join('; '));
}
