// A stateful local ConnectWise Manage (REST API 3.0 under /v4_6_release/apis/3.0): companies, catalog products,
// agreements and their additions, agreement invoices, the accounting interface (unposted invoices, batches) and invoice
// payments, with Manage's Basic auth (company+publicKey:privateKey plus
// a clientId header), `conditions`, page and forward-only `pageId` paging, a per-member rate limit answered with 429
// and Retry-After, and injected faults. Like Manage it does not deduplicate writes on an Idempotency-Key; it records
// the key of every write so tests can see each one carried its own.
//
// Middleware order (outermost first): the request log, authentication and the rate limit, injected faults, routes.
import { FaultInjector, mountFaultRoutes } from '../support/faults';
import { SlidingWindowLimiter } from '../support/limits';
import { EmulatorServer } from '../support/server';
import { registerAccountingRoutes } from './accounting';
import { registerAgreementRoutes } from './agreements';
import { registerInvoiceRoutes } from './invoices';
import { registerRecordRoutes } from './records';
import { API_BASE, manageError, setTenant } from './routes';
import { ManageState } from './state';

export { ManageState, ManageTenant } from './state';
export { API_BASE } from './routes';

export interface ManageEmulatorOptions {
  port?: number;
  /** Requests per rolling second per API member before a 429 (default 40). */
  requestsPerSecond?: number;
}

export interface ManageRequestRecord {
  method: string;
  path: string;
  status: number;
  idempotencyKey?: string;
}

export interface ManageEmulator {
  url: string;
  /** What a Manage connection's base URL is: `${url}/v4_6_release/apis/3.0`. */
  apiBase: string;
  state: ManageState;
  faults: FaultInjector;
  requests: ManageRequestRecord[];
  /**
   * While true, a write is applied but its answer is held back (how many are held: `heldAnswers`): a test can kill the
   * caller at exactly the moment Manage has a record its caller never heard about.
   */
  holdAnswers: boolean;
  heldAnswers: number;
  /** A tenant with one API member: the credentials a merchant would enter (any clientId is accepted). */
  createTenant(companyId?: string): ReturnType<ManageState['createTenant']>;
  close(): Promise<void>;
}

function credentialsOf(header: string | undefined): { companyId: string; publicKey: string; privateKey: string } | undefined {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const plus = decoded.indexOf('+');
  const colon = decoded.indexOf(':', plus);
  if (plus < 1 || colon < 0) return undefined;
  return { companyId: decoded.slice(0, plus), publicKey: decoded.slice(plus + 1, colon), privateKey: decoded.slice(colon + 1) };
}

const rateLimited = (retryAfterSeconds: number) => ({
  ...manageError(429, 'TooManyRequests', 'Too many requests, slow down.'), headers: { 'retry-after': String(retryAfterSeconds) },
});

export async function startManageEmulator(opts: ManageEmulatorOptions = {}): Promise<ManageEmulator> {
  const state = new ManageState();
  const server = new EmulatorServer();
  const limiter = new SlidingWindowLimiter(opts.requestsPerSecond ?? 40, 1000);
  const emulator: ManageEmulator = {
    url: '', apiBase: '', state, faults: new FaultInjector(rateLimited), requests: [], holdAnswers: false, heldAnswers: 0,
    createTenant: (companyId) => state.createTenant(companyId),
    close: () => server.close(),
  };

  server.use(async (req, next) => {
    const res = await next();
    const key = req.headers['idempotency-key'];
    emulator.requests.push({ method: req.method, path: req.path, status: res.status, ...(typeof key === 'string' ? { idempotencyKey: key } : {}) });
    if (emulator.holdAnswers && req.method !== 'GET' && res.status < 300) {
      emulator.heldAnswers++;
      while (emulator.holdAnswers) await new Promise((r) => setTimeout(r, 20));
      emulator.heldAnswers--;
    }
    return res;
  });
  server.use(async (req, next) => {
    const creds = credentialsOf(req.headers.authorization);
    const tenant = creds && state.tenant(creds.companyId);
    const member = tenant?.members.find((m) => m.publicKey === creds!.publicKey && m.privateKey === creds!.privateKey);
    if (!tenant || !member) return manageError(401, 'Unauthorized', 'The credentials are not valid for this company.');
    if (!req.headers.clientid) return manageError(401, 'Unauthorized', 'A clientId header is required (developer.connectwise.com).');
    const slot = limiter.tryAcquire(`${tenant.companyId}+${member.publicKey}`);
    if (!slot.ok) return rateLimited(Math.max(1, Math.ceil(slot.retryAfterMs / 1000)));
    setTenant(req, tenant);
    return next();
  });
  server.use(emulator.faults.middleware);

  registerRecordRoutes(server);
  registerAgreementRoutes(server);
  registerInvoiceRoutes(server);
  registerAccountingRoutes(server);

  // The control API (never authenticated, throttled or faulted).
  server.route('POST', '/_emulator/tenants', (req) => {
    const companyId = typeof req.body?.companyId === 'string' ? req.body.companyId : undefined;
    const { tenant, ...creds } = state.createTenant(companyId);
    void tenant;
    return { status: 201, body: { ...creds, apiBase: emulator.apiBase } };
  });
  server.route('GET', '/_emulator/state', (req) => {
    const tenant = state.tenant(req.query.get('companyId') ?? '');
    if (!tenant) return { status: 200, body: { tenants: [...state.tenants.values()].map((t) => t.companyId), faults: emulator.faults.counts } };
    return { status: 200, body: { ...tenant.snapshot(), faults: emulator.faults.counts } };
  });
  mountFaultRoutes(server, emulator.faults);

  emulator.url = await server.listen(opts.port ?? 0);
  emulator.apiBase = `${emulator.url}${API_BASE}`;
  return emulator;
}
