// The page shell every Pay Now page shares, and the headers it goes out with. The policy allows only this origin;
// the one stylesheet (and the Stripe page's one script) is inline and allowed by its hash, so no injected
// <style> or <script> could run even if escaping ever failed.
import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import { html, SafeHtml } from './html';

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f4f5f7;color:#1d2330;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:40rem;margin:2rem auto;padding:0 1rem}
.card{background:#fff;border:1px solid #dde1e7;border-radius:10px;padding:1.25rem 1.5rem;margin-bottom:1rem}
h1{font-size:1.4rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:0 0 .75rem}
.muted{color:#5b6576;font-size:.9rem}
.amount{font-size:1.8rem;font-weight:600;margin:.5rem 0}
.grid{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr))}
label{display:block;font-size:.9rem;margin:.5rem 0 .2rem}
input{width:100%;padding:.5rem;border:1px solid #b9c0cc;border-radius:6px;font:inherit}
button,.button{display:inline-block;margin-top:.75rem;padding:.55rem 1rem;border:0;border-radius:6px;background:#2451d6;color:#fff;
font:inherit;font-weight:600;cursor:pointer;text-decoration:none}
button.secondary{background:#e7eaf0;color:#1d2330}button.danger{background:#b3261e}
.methods button{width:100%}
.notice{padding:.75rem 1rem;border-radius:8px;margin-bottom:1rem}
.error{background:#fdecea;border:1px solid #f3b4ae}.ok{background:#e8f5ec;border:1px solid #a9d8b6}.info{background:#eef3fd;border:1px solid #b7c8f2}
.status{display:inline-block;padding:.1rem .5rem;border-radius:99px;background:#e7eaf0;font-size:.85rem}
table{width:100%;border-collapse:collapse;margin:.5rem 0}th,td{text-align:left;padding:.35rem .4rem;border-bottom:1px solid #e7eaf0}.num{text-align:right}
input[type=checkbox],input[type=radio]{width:auto;margin-right:.4rem}fieldset{border:0;padding:0;margin:.75rem 0 0}.choice{display:block;margin:.25rem 0}
`;

const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const CSS_HASH = hashOf(CSS);

/** Where Stripe.js is loaded from and the API origin it calls (the page's policy allows both). */
export interface StripeJsSource {
  scriptUrl: string;
  apiOrigin: string;
}

export const STRIPE_JS: StripeJsSource = { scriptUrl: 'https://js.stripe.com/v3/', apiOrigin: 'https://api.stripe.com' };

export interface PageOptions {
  status?: number;
  title: string;
  body: SafeHtml;
  /** An inline script (constant text: its data comes from data- attributes), allowed by its hash. */
  script?: string;
  /** Load Stripe.js (the real-Stripe checkout): allows where it comes from and what Stripe.js itself talks to. */
  stripe?: StripeJsSource;
  /** Origins a form's redirect may lead to besides this one (e.g. the quote in CPQ after paying). */
  formTargets?: string[];
}

function contentSecurityPolicy(opts: PageOptions): string {
  const stripeJs = opts.stripe ? new URL(opts.stripe.scriptUrl).origin : undefined;
  const scripts = ["'self'", ...(opts.script ? [hashOf(opts.script)] : []), ...(stripeJs ? [stripeJs] : [])];
  return [
    "default-src 'self'",
    `style-src 'self' ${CSS_HASH}`,
    `script-src ${scripts.join(' ')}`,
    // Stripe.js renders the Payment Element in its own frames and talks to Stripe's API (Stripe's documented needs).
    ...(opts.stripe ? [`frame-src ${stripeJs} https://hooks.stripe.com`, `connect-src 'self' ${opts.stripe.apiOrigin}`] : []),
    // Chromium checks form-action on the redirects after a POST too: the return to the quote must be allowed.
    `form-action ${["'self'", ...(opts.formTargets ?? [])].join(' ')}`,
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function sendPage(ctx: Context, opts: PageOptions): void {
  ctx.status = opts.status ?? 200;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Content-Security-Policy', contentSecurityPolicy(opts));
  ctx.set('X-Frame-Options', 'DENY');
  // Pay Now links carry their token in the path: never hand it to another site as a Referer. (Not no-referrer:
  // with that, browsers send `Origin: null` on our own form POSTs, and the CSRF check needs the real origin.)
  ctx.set('Referrer-Policy', 'same-origin');
  // Over https (directly or, with SETTLE_TRUST_PROXY=1, behind a proxy that says so), browsers keep to https for a year.
  if (ctx.secure) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  ctx.body = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${opts.title}</title>
<style>${new SafeHtml(CSS)}</style>
</head>
<body><main>
${opts.body}
</main>${opts.script ? html`<script>${new SafeHtml(opts.script)}</script>` : ''}</body>
</html>
`.text;
}

/** A page that only says something (not found, expired, refused), with an optional way on. */
export function sendMessage(ctx: Context, status: number, title: string, message: string, link?: { href: string; text: string }): void {
  sendPage(ctx, {
    status, title,
    body: html`<div class="card"><h1>${title}</h1><p>${message}</p>${link ? html`<p><a href="${link.href}">${link.text}</a></p>` : ''}</div>`,
  });
}
