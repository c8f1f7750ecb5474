// Serves the merchant console's built single-page app (console/, built by console/build.ts) at /console. Assets are
// content-hashed by Vite, so they are cached for good; the page itself never is. Every answer carries the Pay Now
// pages' protections (api/pay-now/layout.ts): a CSP allowing only this origin, no framing, same-origin referrers, HSTS
// over https. A page request without a session cookie goes to the sign-in screen before any script loads.
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import type { Context } from 'koa';
import { sessionCookie } from './middleware/session';

export const CONSOLE_DIST = path.resolve(__dirname, '..', 'console', 'dist');

/** Screens a signed-out person may open. */
const PUBLIC_SCREENS = new Set(['/console/sign-in', '/console/set-password']);

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json' };

function protect(ctx: Context): void {
  ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Referrer-Policy', 'same-origin');
  if (ctx.secure) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
}

export function consoleRouter(dist = CONSOLE_DIST): Router {
  const router = new Router();
  // Exactly /console (the router would match /console/ here too, and loop).
  router.get('/console', (ctx, next) => (ctx.path === '/console' ? ctx.redirect('/console/') : next()));
  router.get('/console/assets/:file', (ctx) => {
    protect(ctx);
    const file = path.join(dist, 'assets', path.basename(ctx.params.file));
    if (!existsSync(file) || !statSync(file).isFile()) {
      ctx.status = 404;
      ctx.type = 'text/plain';
      ctx.body = 'not found';
      return;
    }
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    ctx.type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    ctx.length = statSync(file).size;
    ctx.body = createReadStream(file);
  });
  router.get(/^\/console\/.*/, (ctx) => {
    protect(ctx);
    if (!PUBLIC_SCREENS.has(ctx.path) && !sessionCookie(ctx)) {
      ctx.redirect(`/console/sign-in?next=${encodeURIComponent(ctx.originalUrl)}`);
      return;
    }
    const index = path.join(dist, 'index.html');
    ctx.type = 'text/html; charset=utf-8';
    if (!existsSync(index)) {
      ctx.status = 503;
      ctx.body = '<!doctype html><title>Console not built</title><p>The console is not built: run <code>npx tsx console/build.ts</code> (npm start does it).</p>';
      return;
    }
    ctx.body = createReadStream(index);
  });
  return router;
}
