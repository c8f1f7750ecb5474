// API keys as Stripe checks them. Secret keys (`sk_test_…`) open everything of their account; publishable keys
// (`pk_test_…`) only the two calls Stripe.js makes from a payer's browser, and only with the intent's
// client_secret (the routes check that). Stripe.js sends its key as a `key` form field, stripe-node as a Bearer
// token; curl users send it as Basic auth's user name. The emulator is test mode only: live keys are refused.
import type { EmulatorRequest, EmulatorResponse } from '../support/server';
import { unauthorized } from './errors';

export interface Caller {
  apiKey: string;
  kind: 'secret' | 'publishable';
  /** The key came as the `key` form field (Stripe.js), which is then no parameter of the call itself. */
  viaParam: boolean;
}

const SECRET_KEY = /^sk_test_[A-Za-z0-9_]+$/;
const PUBLISHABLE_KEY = /^pk_test_[A-Za-z0-9_]+$/;

function redacted(key: string): string {
  return key.length > 12 ? `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}` : '*'.repeat(key.length);
}

function keyFromHeader(header: string): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  if (basic) return Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0];
  return undefined;
}

function keyFromForm(req: EmulatorRequest): string | undefined {
  const fromQuery = req.query.get('key');
  if (fromQuery) return fromQuery;
  if (!req.rawBody || String(req.headers['content-type'] ?? '').includes('json')) return undefined;
  return new URLSearchParams(req.rawBody).get('key') ?? undefined;
}

export function authenticate(req: EmulatorRequest): Caller | EmulatorResponse {
  const header = req.headers.authorization;
  const fromHeader = header ? keyFromHeader(String(header)) : undefined;
  const apiKey = fromHeader ?? keyFromForm(req);
  if (!apiKey) {
    return unauthorized(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    );
  }
  if (SECRET_KEY.test(apiKey) && fromHeader) return { apiKey, kind: 'secret', viaParam: false };
  if (PUBLISHABLE_KEY.test(apiKey)) return { apiKey, kind: 'publishable', viaParam: !fromHeader };
  return unauthorized(`Invalid API Key provided: ${redacted(apiKey)}`);
}

export function publishableKeyRefused(): EmulatorResponse {
  return unauthorized('This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.');
}

// The caller of a request, found by the authentication middleware and read by the routes. The shared server's
// request has no room for it, and a WeakMap lets it go with the request.
const callers = new WeakMap<EmulatorRequest, Caller>();
export const setCaller = (req: EmulatorRequest, caller: Caller) => callers.set(req, caller);
export const callerOf = (req: EmulatorRequest): Caller | undefined => callers.get(req);
