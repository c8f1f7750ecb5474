// Sessions of the Pay Now pages, kept in the browser as sealed cookies (AES-GCM with the keyring: they can be neither
// read nor forged). The server keeps nothing; each kind of session has its own purpose, so one kind's cookie never
// opens as another's.
import type { Context } from 'koa';
import type { z } from 'zod';
import { open, seal } from '../../lib/crypto/sealed-box';
import type { ApiDeps } from '../deps';

/** The cookie's value, if the browser has one that opens, fits `shape` and has not expired (`exp`, ms). */
export function readSealedCookie<T extends { exp: number }>(ctx: Context, deps: Pick<ApiDeps, 'keyring'>, name: string, purpose: string, shape: z.ZodType<T>): T | undefined {
  const value = ctx.cookies.get(name);
  if (!value) return undefined;
  try {
    const session = shape.parse(JSON.parse(open(deps.keyring, value, purpose)));
    return session.exp > Date.now() ? session : undefined;
  } catch {
    return undefined; // sealed with a retired key, tampered with, or not ours: as if there were none
  }
}

/** Sets the sealed cookie for `ttlMs` (0 removes it), HttpOnly and SameSite=Lax on /pay. */
export function setSealedCookie(ctx: Context, deps: Pick<ApiDeps, 'keyring' | 'publicUrl'>, name: string, purpose: string, value: object | undefined, ttlMs: number): void {
  const attributes = [`Max-Age=${Math.floor(ttlMs / 1000)}`, 'Path=/pay', 'HttpOnly', 'SameSite=Lax'];
  // Set by hand: Koa refuses a Secure cookie on a plain connection, which is what a TLS-terminating proxy forwards.
  if (deps.publicUrl.startsWith('https:')) attributes.push('Secure');
  const sealed = value === undefined ? '' : seal(deps.keyring, JSON.stringify(value), purpose);
  ctx.append('Set-Cookie', [`${name}=${sealed}`, ...attributes].join('; '));
}
