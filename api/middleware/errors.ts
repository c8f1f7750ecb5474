// Every error leaves as problem+json; stack traces stay in the logs.
import type { Middleware } from 'koa';
import { ProblemError, type ProblemSlug } from '../problem';
import type { RequestState } from './request-context';

// Errors thrown by Koa itself and by @koa/router (http-errors) carry a status; map the ones clients can cause.
const HTTP_STATUS_PROBLEMS: Record<number, ProblemSlug> = {
  400: 'validation-error',
  404: 'not-found',
  405: 'method-not-allowed',
  413: 'body-too-large',
  415: 'unsupported-media-type',
  501: 'method-not-allowed',
};

// Postgres unreachable or going away: node-postgres surfaces refused/reset sockets with their errno code, a
// dropped connection with a bare message, and a server shutting down with SQLSTATE class 08 (connection) or 57P0x.
const UNREACHABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN']);
const PG_GONE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/** True for errors that mean a dependency (Postgres, Temporal) is down right now, not that the request was bad. */
export function isDependencyDown(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    const code = e.code;
    if (typeof code === 'string' && (UNREACHABLE_ERRNOS.has(code) || code.startsWith('08') || /^57P0[1-3]$/.test(code))) return true;
    // gRPC UNAVAILABLE (14) from the Temporal client while the frontend is down or restarting.
    if (code === 14) return true;
    if (typeof e.message === 'string' && PG_GONE.test(e.message)) return true;
    // AggregateError (a refused connection to several addresses) holds the real causes in `errors`.
    const many = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(many) && many.some(isDependencyDown)) return true;
  }
  return false;
}

function toProblem(err: unknown): ProblemError | undefined {
  if (err instanceof ProblemError) return err;
  // A dependency is down: the client should retry (a retried payment with the same Idempotency-Key is one payment).
  if (isDependencyDown(err)) {
    return new ProblemError('not-ready', 'a dependency (Postgres or Temporal) is unavailable; retry shortly', {}, { 'Retry-After': '1' });
  }
  const status = (err as { status?: number; expose?: boolean })?.status;
  const slug = status ? HTTP_STATUS_PROBLEMS[status] : undefined;
  if (slug) {
    const headers = (err as { headers?: Record<string, string> }).headers ?? {};
    return new ProblemError(slug, (err as Error).message, {}, headers);
  }
  return undefined;
}

export function problemErrors(): Middleware<RequestState> {
  return async (ctx, next) => {
    try {
      await next();
      // The router answers unknown paths (404) and wrong methods (405, with Allow set) without a body.
      if (ctx.body === undefined && ctx.status === 404) {
        throw new ProblemError('not-found', `no route for ${ctx.method} ${ctx.path}`);
      }
      // A method the router knows of nowhere (TRACE, PROPFIND, QUERY) is still a method this path does not accept:
      // 405 with the Allow header, not the router's bare 501.
      if (ctx.body === undefined && ctx.status === 501 && !ctx.response.get('Allow')) {
        throw new ProblemError('not-found', `no route for ${ctx.method} ${ctx.path}`);
      }
      if (ctx.body === undefined && (ctx.status === 405 || ctx.status === 501)) {
        throw new ProblemError('method-not-allowed', `${ctx.path} does not accept ${ctx.method}; it accepts ${ctx.response.get('Allow') || 'no method'}`,
          {}, { Allow: ctx.response.get('Allow') });
      }
    } catch (err) {
      let problem = toProblem(err);
      if (!problem) {
        ctx.state.log?.error({ err }, 'unhandled error');
        problem = new ProblemError('internal-error', 'the request could not be completed');
      } else if (problem.status >= 500) {
        ctx.state.log?.warn({ problem: problem.slug, detail: problem.detail }, 'request failed');
      }
      ctx.status = problem.status;
      for (const [name, value] of Object.entries(problem.headers)) ctx.set(name, value);
      ctx.type = 'application/problem+json';
      ctx.body = { ...problem.toBody(), instance: ctx.path, requestId: ctx.state.requestId };
    }
  };
}
