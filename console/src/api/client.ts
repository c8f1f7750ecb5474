// The typed client of the Settle API: paths and bodies come from schema.d.ts, generated from the API's own OpenAPI
// document at build time (console/build.ts), so a changed route breaks the console's build. It sends the session
// cookie (same origin) and, on writes, the session's CSRF token.
import createClient from 'openapi-fetch';
import type { paths } from './schema';

type Method = 'get' | 'put' | 'post' | 'delete';
/** The JSON a route answers when it succeeds (200 or 201), straight from the API's document. */
export type Answer<P extends keyof paths, M extends Method> = paths[P][M] extends { responses: infer R }
  ? R extends { 200: { content: { 'application/json': infer J } } } ? J
  : R extends { 201: { content: { 'application/json': infer J } } } ? J
  : R extends { 202: { content: { 'application/json': infer J } } } ? J : never
  : never;

let csrfToken = '';
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export const SIGNED_OUT_EVENT = 'settle:signed-out';

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use({
  onRequest({ request }) {
    if (request.method !== 'GET') request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
  onResponse({ request, response }) {
    // The session ended (idle, signed out elsewhere): back to the sign-in screen.
    if (response.status === 401 && !new URL(request.url).pathname.startsWith('/v1/session')) window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
    return response;
  },
});

export interface Problem {
  type?: string;
  title?: string;
  detail?: string;
  status?: number;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem | undefined) {
    super(problem?.detail ?? problem?.title ?? `The server answered ${status}`);
  }
}

/** The answer's data, or an ApiError carrying the problem's detail (what the person should read). */
export async function call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let answer: { data?: T; error?: unknown; response: Response };
  try {
    answer = await request;
  } catch {
    throw new ApiError(0, { detail: 'Settle cannot be reached: check your connection and try again.' });
  }
  if (!answer.response.ok) throw new ApiError(answer.response.status, answer.error as Problem | undefined);
  return answer.data as T;
}
