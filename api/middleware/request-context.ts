// Gives every request an id (the caller's X-Request-Id when it is sane) and a logger that carries it,
// and logs one line per request when it ends.
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../../lib/logger';

const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

export interface RequestState {
  requestId: string;
  log: Logger;
}

export function requestContext(log: Logger): Middleware<RequestState> {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.log = log.child({ requestId });
    ctx.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // The route pattern, not the URL: ids in paths are not log material.
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      ctx.state.log.info({ method: ctx.method, route, status: ctx.status, ms: Math.round(ms * 10) / 10 }, 'request');
    }
  };
}
