// The merchant console's sign-in: a server-side session (db/merchant-users.ts) behind an HttpOnly, SameSite=Lax cookie,
// Secure when the request came over https. The session is one more way to authenticate a merchant route (auth.ts):
// the console calls the same /v1 routes as an API-key client.
//
// CSRF. A cookie goes with every request the browser makes, whoever's page makes it, so a write authenticated by the
// cookie must prove it comes from the console. Two checks, both required:
// - X-CSRF-Token: a value derived from the session id (a one-way hash), which the console got from POST/GET
//   /v1/session. A page of another site can neither read the HttpOnly cookie nor read our answers (no CORS), so it
//   cannot know the value; and sending a custom header cross-site needs a CORS preflight we never grant.
// - Origin, when the browser sends one (every browser does on a POST), must be this API's own origin.
// SameSite=Lax already keeps the cookie off cross-site POSTs in current browsers; the checks do not rely on it.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { ProblemError } from '../problem';

export const SESSION_COOKIE = 'settle_session';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The console's CSRF token for a session: derived, so it can be handed out again on reload without being stored. */
export function csrfTokenFor(sessionId: string): string {
  return createHash('sha256').update('settle console csrf v1\0').update(sessionId).digest('base64url');
}

export function sessionCookie(ctx: Context): string | undefined {
  const value = ctx.cookies.get(SESSION_COOKIE);
  // Ours are 43 base64url characters; anything else is not worth a lookup.
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
}

export function setSessionCookie(ctx: Context, sessionId: string): void {
  ctx.cookies.set(SESSION_COOKIE, sessionId, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/', overwrite: true });
}

export function clearSessionCookie(ctx: Context): void {
  ctx.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/', overwrite: true, expires: new Date(0) });
}

/** Refuses a cross-site request: an Origin that is not ours. Also guards sign-in itself (no login CSRF). */
export function refuseForeignOrigin(ctx: Context): void {
  const origin = ctx.get('origin');
  // Not ctx.origin: Koa 3 answers the Origin header itself there.
  const own = `${ctx.protocol}://${ctx.host}`;
  if (origin && origin !== own) throw new ProblemError('csrf-refused', `a write from ${origin} is refused: the console writes only from ${own}`);
}

/** Refuses a cookie-authenticated write without the session's CSRF token or from another origin. */
export function refuseForgedWrite(ctx: Context, sessionId: string): void {
  if (SAFE_METHODS.has(ctx.method)) return;
  refuseForeignOrigin(ctx);
  const given = Buffer.from(ctx.get(CSRF_HEADER));
  const expected = Buffer.from(csrfTokenFor(sessionId));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ProblemError('csrf-refused', `a write signed in by the session cookie needs the session's ${CSRF_HEADER} header`);
  }
}
