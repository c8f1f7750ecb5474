// What every Pay Now handler shares: errors that become a page (not problem+json: a person is reading), the
// CSRF check of a POST's Origin, and reading a form body.
import type { Context, Middleware } from 'koa';
import { ProblemError } from '../problem';
import { readBodyText } from '../body';
import type { ApiDeps } from '../deps';
import { sendMessage } from './layout';

// The largest form (register) is a few hundred bytes; anything near this is not a person typing.
const MAX_FORM_BYTES = 8 * 1024;

/** Thrown by a handler: the payer sees this page. */
export class PageError extends Error {
  constructor(readonly status: number, readonly title: string, message: string) {
    super(message);
  }
}

/** Runs a handler; what it throws becomes a readable page (details of unexpected errors stay in the log). */
export function page(handler: (ctx: Context) => Promise<void>): Middleware {
  return async (ctx) => {
    try {
      await handler(ctx);
    } catch (err) {
      if (err instanceof PageError) return sendMessage(ctx, err.status, err.title, err.message);
      if (err instanceof ProblemError && err.status === 503) {
        return sendMessage(ctx, 503, 'Please try again shortly', 'We cannot show this payment right now. Nothing was charged; reload the page in a moment.');
      }
      ctx.state.log?.error({ err }, 'pay now page failed');
      sendMessage(ctx, 500, 'Something went wrong', 'The page could not be shown. Nothing was charged twice; please try again.');
    }
  };
}

/** Refuses a POST sent from another site (CSRF): the browser names the page's origin in `Origin`. */
export function checkOrigin(ctx: Context, deps: Pick<ApiDeps, 'publicUrl'>): void {
  const origin = ctx.get('origin');
  if (origin && origin !== new URL(deps.publicUrl).origin) {
    throw new PageError(403, 'Request refused', 'This form was sent from another site. Open the payment link again and use the page itself.');
  }
}

/** Every field of an `application/x-www-form-urlencoded` POST, repeated names included (a list of checkboxes). */
export async function readFormParams(ctx: Context): Promise<URLSearchParams> {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw new PageError(415, 'Request refused', 'Send this form from the payment page.');
  }
  let text: string;
  try {
    text = await readBodyText(ctx, MAX_FORM_BYTES);
  } catch (err) {
    if (err instanceof ProblemError && err.slug === 'body-too-large') throw new PageError(413, 'Request refused', 'The form is too large.');
    throw new PageError(400, 'Request refused', 'The form could not be read; please try again.');
  }
  return new URLSearchParams(text);
}

/** The fields of an `application/x-www-form-urlencoded` POST (the first value of each name). */
export async function readForm(ctx: Context): Promise<Record<string, string>> {
  const fields: Record<string, string> = Object.create(null);
  for (const [name, value] of await readFormParams(ctx)) fields[name] ??= value;
  return fields;
}

/** A POST's checks and form, in the order that matters: the origin before anything is read. */
export async function postedForm(ctx: Context, deps: Pick<ApiDeps, 'publicUrl'>): Promise<Record<string, string>> {
  checkOrigin(ctx, deps);
  return readForm(ctx);
}

/** postedForm, keeping every value of a repeated name. */
export async function postedParams(ctx: Context, deps: Pick<ApiDeps, 'publicUrl'>): Promise<URLSearchParams> {
  checkOrigin(ctx, deps);
  return readFormParams(ctx);
}

/** Post/Redirect/Get: a POST that worked answers 303, so a reload never sends it again. */
export function seeOther(ctx: Context, location: string): void {
  ctx.status = 303; // before redirect(), which keeps a redirect status and would otherwise answer 302
  ctx.redirect(location);
}
