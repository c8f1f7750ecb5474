// A stateful local Xero: the Accounting API (api.xro/2.0) for the objects Settle uses, OAuth 2.0 with rotating
// refresh tokens, Xero's per-tenant and per-app rate limits and its error shapes, so that the real xero-node SDK
// (and so Settle's adapter) can be pointed at it unchanged: `xero.accountingApi.basePath = emulator.apiBasePath`.
//
// Middleware order (outermost first): the request log, then authentication and rate limits (API paths only),
// then injected faults, then the routes. Faults run inside the limits so injected latency is spent while the
// request counts as in flight, and an injected 429 carries the same headers as a real one.
import { mountConsentScreen } from '../support/consent';
import { FaultInjector, mountFaultRoutes } from '../support/faults';
import { IdempotencyStore } from '../support/idempotency';
import type { Clock } from '../support/limits';
import { OAuthEmulator, type TokenSet } from '../support/oauth';
import { EmulatorServer } from '../support/server';
import { registerBankTransactionRoutes } from './bank-transactions';
import { registerBankTransferRoutes } from './bank-transfers';
import { registerAccountRoutes } from './accounts';
import { registerContactRoutes } from './contacts';
import { registerCreditNoteRoutes } from './credit-notes';
import { registerInvoiceRoutes } from './invoices';
import { XERO_LIMITS, XeroRateLimits, type XeroLimits } from './limits';
import { registerPaymentRoutes } from './payments';
import type { Ctx } from './routes';
import { XeroState, type TenantOptions } from './state';
import { Wire } from './wire';

export { XERO_LIMITS, type XeroLimits, type RateLimitProblem } from './limits';
export { XeroState, TenantLedger, TAX_RATES } from './state';
export type { TenantOptions, XeroContact, XeroInvoice, XeroPayment, XeroCreditNote, XeroAllocation, XeroBankTransaction } from './state';

export const API_PREFIX = '/api.xro/2.0';

export interface XeroEmulatorOptions {
  port?: number;
  clock?: Clock;
  limits?: Partial<XeroLimits>;
  /** Lifetime of access tokens (Xero: 30 minutes). */
  accessTokenSeconds?: number;
}

export interface XeroRequestLogEntry {
  at: number;
  /** When the request arrived (before authentication, limits and injected latency): `at - receivedAt` is its time here. */
  receivedAt: number;
  method: string;
  path: string;
  /** Query parameters as sent (the SDK joins arrays with commas). */
  query: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  /** The parsed body (JSON or form), or the raw text. */
  body: unknown;
  tenantId?: string;
  /** The answer's status; 0 for a dropped connection. */
  status: number;
  /** The answer's body (objects as sent in JSON), for checking the emulator's own wire format. */
  responseBody?: unknown;
}

export interface XeroEmulator {
  url: string;
  /** What to set as the SDK's accountingApi.basePath: url + '/api.xro/2.0'. */
  apiBasePath: string;
  /** The OAuth token endpoint: url + '/connect/token'. */
  tokenUrl: string;
  /** The consent screen (Xero: login.xero.com/identity/connect/authorize). */
  authorizeUrl: string;
  /** RFC 7009 revocation (Xero: identity.xero.com/connect/revocation). */
  revocationUrl: string;
  /** GET (?authEventId=) and DELETE /{id} (Xero: api.xero.com/connections). */
  connectionsUrl: string;
  oauth: OAuthEmulator;
  faults: FaultInjector;
  idempotency: IdempotencyStore;
  state: XeroState;
  requests: XeroRequestLogEntry[];
  /** byProblem counts 429s by X-Rate-Limit-Problem (injected bursts count as 'minute'). */
  stats: { requests: number; http429: number; byProblem: Record<string, number> };
  limits: XeroLimits;
  /**
   * While true, a write is applied but its answer is held back (how many: `heldAnswers`): a test can kill the caller
   * at exactly the moment Xero has an object its caller never heard about.
   */
  holdAnswers: boolean;
  heldAnswers: number;
  /**
   * Extra latency per tenant id, spent while the call holds its concurrent slot (as `faults` latency is): a benchmark
   * slows one organisation (a long sync) and leaves the others (payments beside it) as they are.
   */
  tenantLatencyMs: Map<string, number>;
  createTenant(name?: string, opts?: TenantOptions): { tenantId: string; tokens: TokenSet };
  close(): Promise<void>;
}

export async function startXeroEmulator(opts: XeroEmulatorOptions = {}): Promise<XeroEmulator> {
  const clock = opts.clock ?? Date.now;
  const limits: XeroLimits = { ...XERO_LIMITS, ...opts.limits };
  const wire = new Wire(clock);
  const state = new XeroState(clock);
  const oauth = new OAuthEmulator(clock, opts.accessTokenSeconds, { jwtAccessTokens: true });
  const idempotency = new IdempotencyStore();
  const rateLimits = new XeroRateLimits(limits, clock, wire);
  const server = new EmulatorServer();

  const emulator: XeroEmulator = {
    url: '',
    apiBasePath: '',
    tokenUrl: '',
    authorizeUrl: '',
    revocationUrl: '',
    connectionsUrl: '',
    oauth,
    // An injected burst looks like Xero's own minute limit.
    faults: new FaultInjector((seconds) => wire.rateLimited(seconds, 'minute')),
    idempotency,
    state,
    requests: [],
    stats: { requests: 0, http429: 0, byProblem: {} },
    limits,
    holdAnswers: false,
    tenantLatencyMs: new Map(),
    heldAnswers: 0,
    createTenant(name = 'Emulated Organisation', tenantOpts) {
      const tenant = state.addTenant(name, tenantOpts);
      return { tenantId: tenant.id, tokens: oauth.issue(tenant.id) };
    },
    close: () => server.close(),
  };

  // The request log and counters see every answer: faults, throttling and auth failures included.
  server.use(async (req, next) => {
    const receivedAt = clock();
    const res = await next();
    emulator.stats.requests++;
    if (res.status === 429) {
      emulator.stats.http429++;
      const problem = res.headers?.['x-rate-limit-problem'] ?? 'unknown';
      emulator.stats.byProblem[problem] = (emulator.stats.byProblem[problem] ?? 0) + 1;
    }
    const tenantHeader = req.headers['xero-tenant-id'];
    emulator.requests.push({
      at: clock(), receivedAt, method: req.method, path: req.path, query: Object.fromEntries(req.query), headers: { ...req.headers },
      body: req.body, tenantId: typeof tenantHeader === 'string' ? tenantHeader : undefined, status: res.drop ? 0 : res.status,
      responseBody: res.body,
    });
    if (emulator.holdAnswers && req.method !== 'GET' && res.status < 300) {
      emulator.heldAnswers++;
      while (emulator.holdAnswers) await new Promise((r) => setTimeout(r, 20));
      emulator.heldAnswers--;
    }
    return res;
  });

  // Authentication (a live access token whose grant opens the xero-tenant-id), then the tenant's rate limits.
  server.use(async (req, next) => {
    if (!req.path.toLowerCase().startsWith(`${API_PREFIX.toLowerCase()}/`)) return next();
    const auth = oauth.authenticate(req);
    if ('error' in auth) {
      return wire.unauthorized(auth.error === 'expired' ? `TokenExpired: token expired at ${new Date(clock()).toISOString()}` : 'AuthenticationUnsuccessful');
    }
    const header = req.headers['xero-tenant-id'];
    const tenantId = typeof header === 'string' ? header.toLowerCase() : '';
    // A tenant whose connection was deleted (in Xero, or with DELETE /connections/{id}): Xero's 403.
    if (auth.disconnected.includes(tenantId) && !auth.tenantIds.includes(tenantId)) return wire.forbidden('AuthenticationUnsuccessful');
    if (!auth.tenantIds.includes(tenantId) || !state.tenants.has(tenantId)) {
      return wire.unauthorized(`AuthorizationUnsuccessful: the token does not open tenant ${String(header)}`);
    }
    req.headers['xero-tenant-id'] = tenantId;
    // Xero counts the tenant limits per app and tenant: another app's connection has its own budget.
    return rateLimits.run(`${auth.clientId}/${tenantId}`, async () => {
      const latency = emulator.tenantLatencyMs.get(tenantId);
      if (latency) await new Promise((r) => setTimeout(r, latency));
      return next();
    });
  });
  server.use(emulator.faults.middleware);

  const ctx: Ctx = { state, wire, idempotency };
  // The identity side: consent screen, token, revocation, and the connections of a consent.
  server.route('POST', '/connect/token', (req) => oauth.tokenEndpoint(req));
  server.route('POST', '/connect/revocation', (req) => oauth.revocationEndpoint(req));
  mountConsentScreen(server, oauth, {
    path: '/identity/connect/authorize',
    platform: 'Xero',
    multiple: true,
    organisations: () => [...state.tenants.values()].map((t) => ({ id: t.id, name: t.name })),
  });
  // Discovery, for clients that build their OpenID client from it (openid-client's Issuer.discover).
  server.route('GET', '/.well-known/openid-configuration', () => ({
    status: 200,
    body: {
      issuer: emulator.url, authorization_endpoint: emulator.authorizeUrl, token_endpoint: emulator.tokenUrl,
      revocation_endpoint: emulator.revocationUrl, jwks_uri: `${emulator.url}/.well-known/openid-configuration/jwks`,
      response_types_supported: ['code'], grant_types_supported: ['authorization_code', 'refresh_token'],
    },
  }));
  server.route('GET', '/.well-known/openid-configuration/jwks', () => ({ status: 200, body: { keys: [] } }));
  // GET /connections: the tenants a token opens (what an app reads after the consent flow).
  server.route('GET', '/connections', (req) => {
    const res = oauth.connectionsEndpoint(req, (tenantId) => state.tenants.get(tenantId)?.name);
    return 'error' in res ? wire.unauthorized('AuthenticationUnsuccessful') : res;
  });
  server.route('DELETE', '/connections/:id', (req) => {
    const res = oauth.deleteConnection(req, req.params.id);
    return 'error' in res ? wire.unauthorized('AuthenticationUnsuccessful') : res;
  });
  registerContactRoutes(server, ctx);
  registerAccountRoutes(server, ctx);
  registerInvoiceRoutes(server, ctx);
  registerPaymentRoutes(server, ctx);
  registerCreditNoteRoutes(server, ctx);
  registerBankTransactionRoutes(server, ctx);
  registerBankTransferRoutes(server, ctx);

  // The control API, for tests and the sandbox (no middleware: never logged, throttled or faulted).
  server.route('POST', '/_emulator/tenants', (req) => {
    const body = (req.body ?? {}) as { name?: string } & TenantOptions;
    return { status: 201, body: emulator.createTenant(body.name, { baseCurrency: body.baseCurrency, currencies: body.currencies }) };
  });
  mountFaultRoutes(server, emulator.faults);
  server.route('GET', '/_emulator/state', () => ({
    status: 200,
    body: { ...state.snapshot(), stats: emulator.stats, faults: emulator.faults.counts, idempotencyReplays: idempotency.replays },
  }));

  emulator.url = await server.listen(opts.port ?? 0);
  emulator.apiBasePath = `${emulator.url}${API_PREFIX}`;
  emulator.tokenUrl = `${emulator.url}/connect/token`;
  emulator.authorizeUrl = `${emulator.url}/identity/connect/authorize`;
  emulator.revocationUrl = `${emulator.url}/connect/revocation`;
  emulator.connectionsUrl = `${emulator.url}/connections`;
  return emulator;
}
