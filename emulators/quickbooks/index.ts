// A stateful local QuickBooks Online: the v3 accounting API for the entities Settle uses, OAuth 2.0 with rotating
// refresh tokens, QBO's per-realm limits (500 requests a minute, 10 at once, 40 batch requests a minute of 30 items) and its fault shapes, so that
// node-quickbooks (and so Settle's adapter) can be pointed at it unchanged: set `qbo.endpoint = emulator.endpoint`.
import { mountConsentScreen } from '../support/consent';
import { FaultInjector, type FaultSettings } from '../support/faults';
import { IdempotencyStore } from '../support/idempotency';
import { ConcurrencyLimiter, SlidingWindowLimiter, type Clock } from '../support/limits';
import { OAuthEmulator, type TokenSet } from '../support/oauth';
import { EmulatorServer } from '../support/server';
import { registerApiRoutes } from './routes';
import { QuickBooksState, type RealmOptions } from './state';
import { Wire, type ThrottleStyle } from './wire';

export { QuickBooksState, RealmState } from './state';
export type { ThrottleStyle } from './wire';

export interface QuickBooksLimits {
  /** Requests per realm per minute. */
  perMinute: number;
  /** Requests per realm in flight at once. */
  concurrent: number;
  /** Batch requests (POST /batch) per realm per minute; each also counts as one request above. */
  batchPerMinute: number;
  /** Items one batch request may carry. */
  batchItems: number;
  /** The length of a "minute": benchmarks and tests scale time down. */
  minuteMs: number;
}

export const QUICKBOOKS_LIMITS: QuickBooksLimits = { perMinute: 500, concurrent: 10, batchPerMinute: 40, batchItems: 30, minuteMs: 60_000 };

export interface QuickBooksEmulatorOptions {
  port?: number;
  clock?: Clock;
  limits?: Partial<QuickBooksLimits>;
  /** How throttling is answered: the documented JSON 429 (default) or the XML 403 QBO also sends. */
  throttleStyle?: ThrottleStyle;
  accessTokenSeconds?: number;
}

export interface RequestLogEntry {
  at: number;
  /** When the request arrived (before authentication, limits and injected latency): `at - receivedAt` is its time here. */
  receivedAt: number;
  method: string;
  path: string;
  /** The raw query string (minorversion, requestid, operation, query). */
  query: string;
  realmId?: string;
  requestId?: string;
  status: number;
}

export interface QuickBooksEmulator {
  url: string;
  /** What to set as node-quickbooks' `endpoint`: url + '/v3/company/'. */
  endpoint: string;
  tokenUrl: string;
  /** The consent screen (Intuit: appcenter.intuit.com/connect/oauth2). */
  authorizeUrl: string;
  /** Intuit's revoke endpoint (developer.api.intuit.com/v2/oauth2/tokens/revoke). */
  revocationUrl: string;
  oauth: OAuthEmulator;
  faults: FaultInjector;
  idempotency: IdempotencyStore;
  state: QuickBooksState;
  requests: RequestLogEntry[];
  /** http429: answers with status 429; throttled: every throttling answer (429, or 403 in the xml403 style). */
  stats: { requests: number; http429: number; throttled: number };
  limits: QuickBooksLimits;
  throttleStyle: ThrottleStyle;
  createRealm(name?: string, opts?: RealmOptions): { realmId: string; tokens: TokenSet };
  close(): Promise<void>;
}

const API_PATH = /^\/v3\/company\/([^/]+)\//i;

export async function startQuickBooksEmulator(opts: QuickBooksEmulatorOptions = {}): Promise<QuickBooksEmulator> {
  const clock = opts.clock ?? Date.now;
  const limits = { ...QUICKBOOKS_LIMITS, ...opts.limits };
  const wire = new Wire(clock);
  const state = new QuickBooksState(clock);
  // Intuit: access tokens last an hour; token answers carry the refresh token's lifetimes.
  const oauth = new OAuthEmulator(clock, opts.accessTokenSeconds ?? 3600, { intuitRefreshExpiry: true });
  const idempotency = new IdempotencyStore();
  const perMinute = new SlidingWindowLimiter(limits.perMinute, limits.minuteMs, clock);
  const batchesPerMinute = new SlidingWindowLimiter(limits.batchPerMinute, limits.minuteMs, clock);
  const inFlight = new ConcurrencyLimiter(limits.concurrent);
  const server = new EmulatorServer();

  const emulator: QuickBooksEmulator = {
    url: '',
    endpoint: '',
    tokenUrl: '',
    authorizeUrl: '',
    revocationUrl: '',
    oauth,
    faults: new FaultInjector((seconds) => wire.throttled(seconds, emulator.throttleStyle)),
    idempotency,
    state,
    requests: [],
    stats: { requests: 0, http429: 0, throttled: 0 },
    limits,
    throttleStyle: opts.throttleStyle ?? 'json429',
    createRealm(name = 'Emulated Company', realmOpts) {
      const realm = state.addRealm(name, realmOpts);
      return { realmId: realm.id, tokens: oauth.issue(realm.id) };
    },
    close: () => server.close(),
  };

  // Outermost: the request log and counters see every answer, faults and throttling included.
  server.use(async (req, next) => {
    const receivedAt = clock();
    const res = await next();
    const realmId = API_PATH.exec(req.path)?.[1];
    const throttled = res.status === 429 || (res.status === 403 && typeof res.body === 'string' && res.body.includes('ThrottleExceeded'));
    emulator.stats.requests++;
    if (res.status === 429) emulator.stats.http429++;
    if (throttled) emulator.stats.throttled++;
    emulator.requests.push({
      at: clock(), receivedAt, method: req.method, path: req.path, query: req.query.toString(), realmId,
      requestId: req.query.get('requestid') ?? undefined, status: res.drop ? 0 : res.status,
    });
    return res;
  });

  // Authentication, then the realm's limits. Before the fault injector, so injected latency is spent while the
  // request counts as in flight (which is what makes the concurrency limit bite).
  server.use(async (req, next) => {
    const realmId = API_PATH.exec(req.path)?.[1];
    if (!realmId) return next();
    const auth = oauth.authenticate(req);
    if ('error' in auth) return wire.authenticationFailed(auth.error === 'expired' ? 'Token expired' : `Token ${auth.error}`);
    if (!auth.tenantIds.includes(realmId)) return wire.authenticationFailed(`The token does not open company ${realmId}`);
    const window = perMinute.tryAcquire(realmId);
    if (!window.ok) {
      return wire.throttled(window.retryAfterMs / 1000, emulator.throttleStyle, `The limit of ${limits.perMinute} requests per minute for this company was reached.`);
    }
    if (req.method === 'POST' && /\/batch$/i.test(req.path)) {
      const batches = batchesPerMinute.tryAcquire(realmId);
      if (!batches.ok) {
        return wire.throttled(batches.retryAfterMs / 1000, emulator.throttleStyle, `The limit of ${limits.batchPerMinute} batch requests per minute for this company was reached.`);
      }
    }
    if (!inFlight.tryEnter(realmId)) {
      return wire.throttled(1, emulator.throttleStyle, `The limit of ${limits.concurrent} concurrent requests for this company was reached.`);
    }
    try {
      return await next();
    } finally {
      inFlight.leave(realmId);
    }
  });
  server.use(emulator.faults.middleware);

  // The identity side: consent screen (one company per consent; the callback carries realmId), token, revoke.
  server.route('POST', '/oauth2/v1/tokens/bearer', (req) => oauth.tokenEndpoint(req));
  server.route('POST', '/v2/oauth2/tokens/revoke', (req) => oauth.revocationEndpoint(req));
  mountConsentScreen(server, oauth, {
    path: '/connect/oauth2',
    platform: 'QuickBooks',
    multiple: false,
    organisations: () => [...state.realms.values()].map((r) => ({ id: r.id, name: r.name })),
    redirectExtras: (tenantIds) => ({ realmId: tenantIds[0] }),
  });
  registerApiRoutes(server, state, wire, idempotency, { batchItems: limits.batchItems });

  // The control API, for tests and the sandbox (no middleware: never throttled, never faulted).
  server.route('POST', '/_emulator/realms', (req) => {
    const body = (req.body ?? {}) as { name?: string; homeCurrency?: string };
    return { status: 201, body: emulator.createRealm(body.name, { homeCurrency: body.homeCurrency }) };
  });
  server.route('POST', '/_emulator/faults', (req) => {
    const { seed, throttleStyle, ...settings } = (req.body ?? {}) as FaultSettings & { seed?: number; throttleStyle?: ThrottleStyle };
    emulator.faults.set(settings, seed);
    if (throttleStyle) emulator.throttleStyle = throttleStyle;
    return { status: 204 };
  });
  server.route('DELETE', '/_emulator/faults', () => {
    emulator.faults.clear();
    return { status: 204 };
  });
  server.route('GET', '/_emulator/state', () => ({
    status: 200,
    body: { ...state.snapshot(), stats: emulator.stats, faults: emulator.faults.counts, idempotencyReplays: idempotency.replays },
  }));

  emulator.url = await server.listen(opts.port ?? 0);
  emulator.endpoint = `${emulator.url}/v3/company/`;
  emulator.tokenUrl = `${emulator.url}/oauth2/v1/tokens/bearer`;
  emulator.authorizeUrl = `${emulator.url}/connect/oauth2`;
  emulator.revocationUrl = `${emulator.url}/v2/oauth2/tokens/revoke`;
  return emulator;
}
