// Stripe's error answers: `{ error: { type, code, message, param, ... } }` with the status stripe-node maps to its
// error classes (400/404 StripeInvalidRequestError, or StripeIdempotencyError by type; 401 StripeAuthenticationError;
// 402 StripeCardError; 429 StripeRateLimitError; 5xx StripeAPIError). A body without `error` is taken for success by
// the SDK, so every failure the emulator sends, injected ones included, must have this shape.
import type { EmulatorResponse, Middleware } from '../support/server';

export interface StripeErrorBody {
  type: 'invalid_request_error' | 'card_error' | 'idempotency_error' | 'api_error';
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  [extra: string]: unknown;
}

/** Thrown by route code, answered by the route wrapper. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: StripeErrorBody,
  ) {
    super(error.message);
  }

  toResponse(): EmulatorResponse {
    return { status: this.status, body: { error: this.error } };
  }
}

const docUrl = (code: string) => `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;

export function invalidRequest(message: string, param?: string, code?: string): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error', message, ...(param ? { param } : {}), ...(code ? { code, doc_url: docUrl(code) } : {}),
  });
}

export function unexpectedState(message: string, code = 'payment_intent_unexpected_state'): StripeApiError {
  return invalidRequest(message, undefined, code);
}

/** What Stripe says about an id it does not have (or that belongs to another account). */
export function noSuch(kind: string, id: string, param = 'id'): StripeApiError {
  return new StripeApiError(404, { type: 'invalid_request_error', code: 'resource_missing', doc_url: docUrl('resource_missing'), message: `No such ${kind}: '${id}'`, param });
}

export function unauthorized(message: string): EmulatorResponse {
  return { status: 401, body: { error: { type: 'invalid_request_error', message } } };
}

/** A `Stripe-Account` header naming an account that is not connected to the key's platform (Stripe answers 403). */
export function accountInvalid(apiKey: string, accountId: string): EmulatorResponse {
  const masked = `${apiKey.slice(0, 8)}${'*'.repeat(Math.max(0, apiKey.length - 12))}${apiKey.slice(-4)}`;
  return {
    status: 403,
    body: { error: { type: 'invalid_request_error', code: 'account_invalid', doc_url: docUrl('account_invalid'),
      message: `The provided key '${masked}' does not have access to account '${accountId}' (or that account does not exist). Application access may have been revoked.` } },
  };
}

export function rateLimited(message = 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.'): EmulatorResponse {
  return { status: 429, body: { error: { type: 'invalid_request_error', code: 'rate_limit', doc_url: docUrl('rate_limit'), message } } };
}

export function idempotencyConflict(key: string): EmulatorResponse {
  return {
    status: 400,
    body: {
      error: {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      },
    },
  };
}

export function unrecognizedUrl(method: string, path: string): EmulatorResponse {
  return {
    status: 404,
    body: { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}). The Stripe emulator does not implement this endpoint.` } },
  };
}

/**
 * The shared FaultInjector answers an injected outage with its own neutral body; stripe-node would take that for a
 * successful object once its retries run out. Re-shape such answers as Stripe's api_error.
 */
export function stripeShaped(faults: Middleware): Middleware {
  return async (req, next) => {
    const res = await faults(req, next);
    if (res.status >= 500 && !res.drop && !(res.body && typeof res.body === 'object' && 'error' in res.body)) {
      return { ...res, body: { error: { type: 'api_error', message: 'An unknown error occurred (emulated outage).' } } };
    }
    return res;
  };
}
