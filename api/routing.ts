// Routes are declared once, with zod schemas for path, query, headers and body. The same declaration
// validates requests, types the handler and generates the OpenAPI document (api/openapi.ts).
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { Db } from '../db/database';
import { readBodyText } from './body';
import { requireAdmin, requireCpq, requireMerchant, requireMerchantAdmin, requirePlatformAdmin, type CpqState, type KindOf, type MerchantState } from './middleware/auth';
import type { ApiKeyCache } from './middleware/api-key-cache';
import type { AuthFailureLimiter } from './middleware/auth-failures';
import type { RequestState } from './middleware/request-context';
import { ProblemError } from './problem';

export type Auth = 'none' | 'merchant' | 'admin' | 'cpq';
type StateFor<A extends Auth> = A extends 'merchant' ? MerchantState : A extends 'cpq' ? CpqState : RequestState;

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteRequest<P, Q, H, B, A extends Auth> {
  params: P;
  query: Q;
  headers: H;
  body: B;
  state: StateFor<A>;
  ctx: Context;
}

export interface RouteSpec<P = unknown, Q = unknown, H = unknown, B = unknown, A extends Auth = Auth> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Koa style, `/v1/payments/:paymentId`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  auth: A;
  /**
   * A merchant route only a merchant's admins may use (connections, integrations, users, account settings), or only a
   * Settle platform admin signed in to the merchant's console (what the platform decides for the merchant).
   */
  merchantRole?: A extends 'merchant' ? 'admin' | 'platform-admin' : never;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  /** Header names in lower case. */
  headers?: z.ZodType<H>;
  body?: z.ZodType<B>;
  /** `page`: also answered as an HTML page (to a request that Accepts text/html), besides its JSON or problem+json. */
  responses: Record<number, { description: string; schema?: z.ZodType; page?: boolean }>;
  handler(req: RouteRequest<P, Q, H, B, A>): Promise<Reply>;
}

/** Declares a route; the generic parameters come from the schemas, so handlers are typed without repeating them. */
export function defineRoute<P = Record<string, never>, Q = Record<string, never>, H = Record<string, never>, B = undefined, A extends Auth = Auth>(
  spec: RouteSpec<P, Q, H, B, A>,
): RouteSpec {
  return spec as unknown as RouteSpec;
}

export interface RoutingDeps {
  db: Db;
  apiKeys: ApiKeyCache;
  adminApiKey: string;
  maxBodyBytes: number;
}

interface FieldError {
  in: 'path' | 'query' | 'header' | 'body';
  path: string;
  message: string;
}

function check<T>(where: FieldError['in'], schema: z.ZodType<T> | undefined, value: unknown, errors: FieldError[]): T {
  if (!schema) return {} as T;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    errors.push({ in: where, path: issue.path.join('.'), message: issue.message });
  }
  return undefined as T;
}

async function readJson(ctx: Context, maxBytes: number): Promise<unknown> {
  if (!ctx.request.length && !ctx.get('transfer-encoding')) return undefined;
  if (!ctx.is('application/json')) {
    throw new ProblemError('unsupported-media-type', 'the body must be sent as application/json');
  }
  const text = await readBodyText(ctx, maxBytes);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ProblemError('malformed-json', `the body is not valid JSON: ${(err as Error).message}`);
  }
}

function handle(spec: RouteSpec, deps: RoutingDeps): Middleware {
  return async (ctx) => {
    const errors: FieldError[] = [];
    const params = check('path', spec.params, (ctx as unknown as { params: unknown }).params ?? {}, errors);
    const query = check('query', spec.query, ctx.query, errors);
    const headers = check('header', spec.headers, ctx.headers, errors);
    const rawBody = spec.body ? await readJson(ctx, deps.maxBodyBytes) : undefined;
    const body = spec.body
      ? rawBody === undefined
        ? (errors.push({ in: 'body', path: '', message: 'a JSON body is required' }), undefined)
        : check('body', spec.body, rawBody, errors)
      : undefined;
    if (errors.length > 0) {
      throw new ProblemError('validation-error', errors.map((e) => `${e.in} ${e.path || '(root)'}: ${e.message}`).join('; '), { errors });
    }
    const reply = await spec.handler({ params, query, headers, body, state: ctx.state as never, ctx });
    ctx.status = reply.status;
    for (const [name, value] of Object.entries(reply.headers ?? {})) ctx.set(name, value);
    if (reply.body !== undefined) ctx.body = reply.body;
  };
}

export function mountRoutes(router: Router, routes: RouteSpec[], deps: RoutingDeps, authFailures: AuthFailureLimiter, kindOf: KindOf): void {
  const merchantAuth = requireMerchant(deps.db, deps.apiKeys, authFailures, kindOf) as Middleware;
  const merchantAdmin = requireMerchantAdmin() as Middleware;
  const platformAdmin = requirePlatformAdmin() as Middleware;
  const adminAuth = requireAdmin(deps.adminApiKey, authFailures, kindOf) as Middleware;
  const cpqAuth = requireCpq(deps.db, authFailures, kindOf) as Middleware;
  const byAuth: Record<Auth, Middleware[]> = { none: [], merchant: [merchantAuth], admin: [adminAuth], cpq: [cpqAuth] };
  for (const spec of routes) {
    const role = spec.merchantRole === 'admin' ? [merchantAdmin] : spec.merchantRole === 'platform-admin' ? [platformAdmin] : [];
    const auth = [...byAuth[spec.auth], ...role];
    router[spec.method](spec.operationId, spec.path, ...auth, handle(spec, deps));
  }
}
