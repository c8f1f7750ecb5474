// Errors as RFC 9457 problem details (application/problem+json) with a stable `type` per kind of problem.
// The types are listed here once; `/problems/{slug}` describes each for people reading an error.

export const PROBLEM_TYPES = {
  'validation-error': { status: 400, title: 'The request is not valid', description: 'A parameter, header or body field is missing or malformed. `errors` lists each one with where it is and why.' },
  'malformed-json': { status: 400, title: 'The body is not valid JSON', description: 'The request body could not be parsed as JSON.' },
  unauthenticated: { status: 401, title: 'Authentication is required', description: 'Send `Authorization: Bearer <api key>` with a key that is valid and not revoked.' },
  'csrf-refused': { status: 403, title: 'Cross-site write refused', description: 'A write authenticated by the console session cookie must carry the session\'s X-CSRF-Token header (GET /v1/session answers it) and, when the browser sends Origin, come from the console\'s own origin. Nothing was changed.' },
  'invalid-code': { status: 401, title: 'The code is wrong', description: 'The code is not the current one of the authenticator app (each code works once: wait for the next), or not an unused recovery code. Wrong codes count toward the sign-in limits (429), and after 5 the signing-in session ends: sign in again with the password.' },
  'invalid-credentials': { status: 401, title: 'Email or password is wrong', description: 'No console user has this email and password (or the password was never set: use the invitation link). Repeated failures are slowed down (429).' },
  forbidden: { status: 403, title: 'Not allowed', description: 'The key is valid but may not use this route.' },
  'not-found': { status: 404, title: 'Not found', description: 'No such resource exists for this merchant (resources of other merchants are never visible).' },
  'method-not-allowed': { status: 405, title: 'Method not allowed', description: 'The path exists but not with this method; see the Allow header.' },
  'idempotency-key-reused': { status: 409, title: 'Idempotency key reused with a different request', description: 'An earlier request with this Idempotency-Key had a different body. Use a new key for a new payment.' },
  conflict: { status: 409, title: 'Not possible in the current state', description: 'The resource is in a state that does not allow this (e.g. cancelling a quote payment that was paid). `detail` says which state and why.' },
  'quote-conflict': { status: 409, title: 'The quote was accepted with other details', description: 'A quote payment exists for this quote id with another revision, amount or currency. A changed quote needs a new quote id, or the earlier payment cancelled first.' },
  'refund-not-possible': { status: 422, title: 'The payment cannot be refunded this way', description: 'The amount asked for is more than is left to refund of the payment (earlier refunds, succeeded or under way, count), the payment has been refunded in full, or it was not taken through Stripe. `detail` says which. Nothing was refunded.' },
  'partial-amount-invalid': { status: 422, title: 'That amount cannot be paid of the invoice', description: 'On the Pay Now page, the amount asked for an invoice is more than is due, less than the merchant\'s least part payment, not a valid amount, or part of an invoice where the merchant takes invoices in full only. `reason` says which (and `invoiceId` which invoice). Nothing was charged.' },
  'scheduling-not-allowed': { status: 422, title: 'One-time quote payments cannot be scheduled', description: 'Only real-time card and bank-debit payments can pay a quote; remove the schedule and take the payment now.' },
  'no-payment-method': { status: 422, title: 'No payment method is available', description: 'None of the methods CPQ allows for this quote is enabled for the merchant (or available in this currency). Enable one in Settle or allow another in CPQ.' },
  'integration-disabled': { status: 403, title: 'The integration is disabled', description: 'The merchant has turned the ConnectWise Sell (CPQ) integration off; enable it to accept quote payments.' },
  'webhook-signature-invalid': { status: 400, title: 'The webhook signature is not valid', description: 'The Stripe-Signature header is missing or does not sign this body with the endpoint secret configured for the merchant. Nothing was changed.' },
  'consent-refused': { status: 400, title: 'The consent could not be completed', description: 'The OAuth callback was refused and nothing was connected. `reason` says why: state-unknown, state-expired (over 10 minutes), state-used (a replay), access-denied (cancelled on the consent screen), consent-error, code-refused (the platform refused the code) or no-tenant. Start again with POST /v1/connections/{role}/authorize.' },
  'tenant-not-in-consent': { status: 422, title: 'That organisation is not part of this consent', description: 'The tenant picked is not one of the organisations the consent opened (GET /v1/connections/{role}/pending-tenants lists them). Nothing was changed.' },
  'no-pending-consent': { status: 404, title: 'No consent is waiting for a choice', description: 'There is no consent with several organisations waiting for this merchant and role: it expired (25 minutes), was chosen already, or is another merchant\'s. Start again with POST /v1/connections/{role}/authorize.' },
  'platform-not-configured': { status: 422, title: 'This accounting platform is not configured', description: 'Settle has no app registered with this platform (XERO_CLIENT_ID or QUICKBOOKS_CLIENT_ID is unset), so merchants cannot connect to it.' },
  'payments-unavailable': { status: 409, title: 'The merchant cannot take payments yet', description: "The merchant's Stripe account (each merchant is paid into its own, by Stripe Connect) has not finished onboarding: Stripe has not enabled charges on it. Nothing was started, and nothing is ever sent to the platform's account instead. The merchant completes onboarding from POST /v1/integrations/stripe/account; GET shows what Stripe still asks for." },
  'stripe-not-configured': { status: 422, title: 'Stripe is not configured', description: 'Settle has no Stripe platform key (STRIPE_SECRET_KEY), so it cannot create connected accounts.' },
  'payout-account-invalid': { status: 422, title: 'An account cannot carry the merchant\'s Stripe money', description: 'An account given for the clearing, bank or fees role is not in the connected organisation\'s chart of accounts, is of a type that role cannot use (Xero: clearing and bank are bank accounts, fees an expense; QuickBooks: clearing a bank or Other Current Asset account, bank a bank account, fees an expense), or the bank account is the clearing account. `problems` lists each with its role and reason. Nothing was changed.' },
  'books-unavailable': { status: 503, title: 'The books could not be read', description: 'Settle could not read the connected organisation (no wise-pay connection, it needs reconnecting, or the platform did not answer). Nothing was changed; connect or retry shortly.' },
  'body-too-large': { status: 413, title: 'The body is too large', description: 'The request body is larger than the API accepts.' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', description: 'Send the body as application/json.' },
  'too-many-failed-attempts': { status: 429, title: 'Too many failed authentication attempts', description: 'This address or key failed to authenticate too often. Wait for the seconds in Retry-After, then try again with a valid key.' },
  'not-ready': { status: 503, title: 'A dependency is unavailable', description: 'Postgres or Temporal is not reachable right now; nothing was changed. Retry shortly.' },
  'internal-error': { status: 500, title: 'Internal error', description: 'Something failed inside Settle; the request id identifies it in the logs.' },
} as const;

export type ProblemSlug = keyof typeof PROBLEM_TYPES;

export function problemTypeUri(slug: ProblemSlug): string {
  return `/problems/${slug}`;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  [extension: string]: unknown;
}

/** Thrown anywhere in a request; the error middleware turns it into the response. */
export class ProblemError extends Error {
  readonly status: number;
  constructor(
    readonly slug: ProblemSlug,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.status = PROBLEM_TYPES[slug].status;
  }

  toBody(): ProblemBody {
    return {
      type: problemTypeUri(this.slug),
      title: PROBLEM_TYPES[this.slug].title,
      status: this.status,
      detail: this.detail,
      ...this.extensions,
    };
  }
}

export function notFound(what: string): ProblemError {
  return new ProblemError('not-found', `${what} was not found`);
}
