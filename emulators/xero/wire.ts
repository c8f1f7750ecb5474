// The shapes of Xero's answers: the response envelope, MS-JSON dates, and the error bodies clients (and the
// xero-node SDK) see: a ValidationException for refused writes, problem-style bodies for 401/429, and the plain
// text 404. Kept in one place so every route answers alike.
import { randomUUID } from 'node:crypto';
import type { EmulatorResponse } from '../support/server';
import type { Clock } from '../support/limits';

export const PROVIDER_NAME = 'Settle Xero emulator';

/** Xero's "/Date(ms+0000)/" for a calendar date (YYYY-MM-DD, midnight UTC). */
export function msDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  return `/Date(${Date.UTC(y, m - 1, d)}+0000)/`;
}

/** Xero's "/Date(ms+0000)/" for an instant. */
export function msDateTime(ms: number): string {
  return `/Date(${ms}+0000)/`;
}

/** The "2026-03-01T00:00:00" companions Xero sends next to dates (DateString, DueDateString). */
export function dateString(isoDate: string): string {
  return `${isoDate}T00:00:00`;
}

/**
 * A date the client sent: "YYYY-MM-DD", "YYYY-MM-DDThh:mm:ss" or "/Date(ms)/". Returns YYYY-MM-DD or undefined
 * if it is not a real calendar date.
 */
export function parseWireDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(value);
  if (ms) return new Date(Number(ms[1])).toISOString().slice(0, 10);
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+Z?)?$/.exec(value);
  if (!iso) return undefined;
  const [, y, m, d] = iso.map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return `${iso[1]}-${iso[2]}-${iso[3]}`;
}

export class Wire {
  constructor(private readonly clock: Clock) {}

  /** 200 with Xero's envelope around `payload` (e.g. { Invoices: [...] }). */
  ok(payload: Record<string, unknown>): EmulatorResponse {
    return {
      status: 200,
      body: { Id: randomUUID(), Status: 'OK', ProviderName: PROVIDER_NAME, DateTimeUTC: msDateTime(this.clock()), ...payload },
    };
  }

  /** 400 ValidationException: each element echoes what was sent, with its ValidationErrors. */
  validation(elements: Array<Record<string, unknown> & { ValidationErrors: { Message: string }[] }>): EmulatorResponse {
    return {
      status: 400,
      body: { ErrorNumber: 10, Type: 'ValidationException', Message: 'A validation exception occurred', Elements: elements },
    };
  }

  /** A ValidationException about one element. */
  refuse(element: Record<string, unknown>, ...messages: string[]): EmulatorResponse {
    return this.validation([{ ...element, ValidationErrors: messages.map((Message) => ({ Message })) }]);
  }

  /** 400 for a body that is not the JSON the endpoint takes. */
  invalidPostData(message = 'Invalid Json data'): EmulatorResponse {
    return { status: 400, body: { ErrorNumber: 14, Type: 'PostDataInvalidException', Message: message } };
  }

  /** 404 as Xero sends it: a short text body, not JSON. */
  notFound(): EmulatorResponse {
    return { status: 404, body: "The resource you're looking for cannot be found" };
  }

  /** 401 in the problem-style body Xero's identity layer uses. */
  unauthorized(detail: string): EmulatorResponse {
    return {
      status: 401,
      headers: { 'www-authenticate': `Bearer error="invalid_token"` },
      body: { Type: null, Title: 'Unauthorized', Status: 401, Detail: detail, Instance: randomUUID(), Extensions: {} },
    };
  }

  /** 403: what Xero answers for a tenant whose connection was removed ("AuthenticationUnsuccessful"). */
  forbidden(detail: string): EmulatorResponse {
    return { status: 403, body: { Type: null, Title: 'Forbidden', Status: 403, Detail: detail, Instance: randomUUID(), Extensions: {} } };
  }

  /** 429: Retry-After in whole seconds (at least 1) and which limit was hit. */
  rateLimited(retryAfterSeconds: number, problem: 'minute' | 'concurrent' | 'day' | 'appminute'): EmulatorResponse {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    return {
      status: 429,
      headers: { 'retry-after': String(seconds), 'x-rate-limit-problem': problem },
      body: { Type: null, Title: 'Too Many Requests', Status: 429, Detail: `Rate limit exceeded (${problem}); retry after ${seconds} s` },
    };
  }
}
