// The Stripe client Settle's payment activities use: the real stripe SDK, pointed at Stripe or, in tests and
// sandbox mode, at the local emulator (`apiBase`, e.g. http://127.0.0.1:4012). The SDK retries connection errors,
// 409s and 5xx itself, reusing the POST's idempotency key, so a retry never charges twice; it does not retry 429s,
// which the activity's own retry policy handles. The timeout bounds one HTTP attempt, not the whole call.
import Stripe from 'stripe';

export interface StripeClientOptions {
  /** `sk_test_…` or `sk_live_…` (a restricted `rk_…` key works for the calls it allows). */
  secretKey: string;
  /** Where the API is, when it is not api.stripe.com: `http(s)://host[:port]`, no path. */
  apiBase?: string;
  /** Per HTTP attempt (default 15 s). */
  timeoutMs?: number;
  /** SDK retries after a connection error, 409 or 5xx (default 2). */
  maxNetworkRetries?: number;
}

export const STRIPE_TIMEOUT_MS = 15_000;
export const STRIPE_MAX_NETWORK_RETRIES = 2;

/** `http://127.0.0.1:4012` as the SDK's { host, port, protocol }. */
export function parseApiBase(apiBase: string): { host: string; port: number; protocol: 'http' | 'https' } {
  let url: URL;
  try {
    url = new URL(apiBase);
  } catch {
    throw new Error(`Stripe apiBase is not a URL: ${apiBase}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`Stripe apiBase must be http or https: ${apiBase}`);
  // The SDK joins its own /v1/... to the host: a base path would be silently dropped, so refuse it.
  if (url.pathname !== '/' || url.search || url.hash) throw new Error(`Stripe apiBase must have no path: ${apiBase}`);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  const port = url.port ? Number(url.port) : protocol === 'http' ? 80 : 443;
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port, protocol };
}

export function createStripeClient(opts: StripeClientOptions): Stripe {
  return new Stripe(opts.secretKey, {
    ...(opts.apiBase ? parseApiBase(opts.apiBase) : {}),
    timeout: opts.timeoutMs ?? STRIPE_TIMEOUT_MS,
    maxNetworkRetries: opts.maxNetworkRetries ?? STRIPE_MAX_NETWORK_RETRIES,
  });
}
