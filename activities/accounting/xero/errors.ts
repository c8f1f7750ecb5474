// xero-node rejects a failed call with a JSON *string* (not an Error) holding response.statusCode, response.headers
// (lower-cased; compared case-insensitively anyway) and body. A transport failure has statusCode 0 and the axios
// message as body ("socket hang up", "connect ECONNREFUSED ...", "read ECONNRESET", "timeout of ...").
// This turns every shape into the port's errors:
//   429 → PlatformRateLimited (Retry-After in ms, X-Rate-Limit-Problem)   401/403 → PlatformUnauthorized
//   403 AuthenticationUnsuccessful (the organisation let the app go) → PlatformAccessRevoked
//   400 and other 4xx → PlatformRejected (with Xero's validation messages) 404 → PlatformNotFound
//   5xx, transport failures and timeouts → PlatformUnavailable
import {
  PlatformAccessRevoked, PlatformError, PlatformNotFound, PlatformRateLimited, PlatformRejected, PlatformUnauthorized, PlatformUnavailable,
} from '../platform';

/** When a 429 carries no usable Retry-After: Xero's tightest window is a minute. */
export const DEFAULT_RETRY_AFTER_MS = 60_000;

/** What the adapter's own deadline throws (xero-node sets no timeout of its own). */
export class XeroTimeout extends Error {
  constructor(readonly what: string, readonly ms: number) {
    super(`timeout of ${ms}ms exceeded (${what})`);
    this.name = 'XeroTimeout';
  }
}

interface Rejection {
  status?: number;
  headers: Record<string, unknown>;
  body: unknown;
  message: string;
}

function parseRejection(err: unknown): Rejection {
  let value: any = err;
  if (typeof err === 'string') {
    try {
      value = JSON.parse(err);
    } catch {
      return { headers: {}, body: err, message: err };
    }
  }
  const response = value?.response;
  const status = typeof response?.statusCode === 'number' ? response.statusCode : typeof response?.status === 'number' ? response.status : undefined;
  const body = response?.body ?? response?.data ?? value?.body;
  const message = err instanceof Error ? err.message : typeof body === 'string' ? body : String(value?.message ?? '');
  return { status, headers: (response?.headers ?? {}) as Record<string, unknown>, body, message };
}

function header(headers: Record<string, unknown>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return value === undefined || value === null ? undefined : String(Array.isArray(value) ? value[0] : value);
}

export function retryAfterMs(headers: Record<string, unknown>, now = Date.now()): number {
  const value = header(headers, 'retry-after')?.trim();
  if (!value) return DEFAULT_RETRY_AFTER_MS;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const at = Date.parse(value); // the HTTP-date form
  return Number.isNaN(at) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, at - now);
}

/** Xero's validation messages: Elements[].ValidationErrors[].Message, or a top-level Message/Detail. */
export function validationMessages(body: unknown): string[] {
  if (typeof body === 'string') {
    try {
      return validationMessages(JSON.parse(body));
    } catch {
      return body.trim() ? [body.trim().slice(0, 500)] : [];
    }
  }
  if (!body || typeof body !== 'object') return [];
  const b = body as any;
  const nested = (b.Elements ?? b.elements ?? []).flatMap((e: any) =>
    (e?.ValidationErrors ?? e?.validationErrors ?? []).map((v: any) => String(v?.Message ?? v?.message ?? '')).filter(Boolean));
  if (nested.length) return nested;
  const top = b.Message ?? b.message ?? b.Detail ?? b.detail ?? b.Title;
  return top ? [String(top)] : [];
}

const TRANSPORT = /socket hang up|ECONNRESET|ECONNREFUSED|ECONNABORTED|ETIMEDOUT|EPIPE|EAI_AGAIN|ENOTFOUND|ENETUNREACH|EHOSTUNREACH|timeout|network error|aborted/i;

/** The port error for a failed xero-node call; `what` names the call for the message. */
export function toPlatformError(err: unknown, what: string): PlatformError {
  if (err instanceof PlatformError) return err;
  if (err instanceof XeroTimeout) return new PlatformUnavailable(`Xero did not answer in time (${what}): ${err.message}`);
  const r = parseRejection(err);
  const details = validationMessages(r.body);
  const summary = details[0] ?? r.message;
  const status = r.status;
  if (status === 429) {
    const problem = (header(r.headers, 'x-rate-limit-problem') ?? 'unknown').toLowerCase();
    return new PlatformRateLimited(retryAfterMs(r.headers), problem, status);
  }
  if (status === 403 && /AuthenticationUnsuccessful/i.test(summary ?? '')) {
    return new PlatformAccessRevoked(`Xero no longer lets the app into the organisation (${what}): AuthenticationUnsuccessful`, status);
  }
  if (status === 401 || status === 403) return new PlatformUnauthorized(`Xero refused the access token (${what}): ${summary}`, status);
  if (status === 404) return new PlatformNotFound(`Xero has no such object (${what})`, status);
  if (status !== undefined && status >= 500) return new PlatformUnavailable(`Xero failed (${what}): HTTP ${status} ${summary ?? ''}`.trim(), status);
  if (status !== undefined && status >= 400) {
    return new PlatformRejected(`Xero refused ${what}: ${details.join('; ') || summary || `HTTP ${status}`}`, details.length ? details : [summary || `HTTP ${status}`], status);
  }
  // statusCode 0 (xero-node's transport failures) or an error thrown before any answer.
  if (status === 0 || TRANSPORT.test(r.message)) return new PlatformUnavailable(`Xero could not be reached (${what}): ${r.message}`);
  return new PlatformError(`Xero call failed (${what}): ${r.message}`, status);
}
