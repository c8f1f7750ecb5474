// Reading a request body as text, bounded: the one place that turns a too-large or unreadable body into a problem.
// JSON routes, the Stripe webhook (which needs the raw text its signature covers) and the Pay Now forms use it.
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { ProblemError } from './problem';

export async function readBodyText(ctx: Context, maxBytes: number): Promise<string> {
  try {
    return await getRawBody(ctx.req, { limit: maxBytes, length: ctx.get('content-length') || undefined, encoding: 'utf8' });
  } catch (err) {
    if ((err as { type?: string }).type === 'entity.too.large') {
      throw new ProblemError('body-too-large', `the body must be at most ${maxBytes} bytes`);
    }
    throw new ProblemError('validation-error', 'the body could not be read', {
      errors: [{ in: 'body', path: '', message: (err as Error).message }],
    });
  }
}
