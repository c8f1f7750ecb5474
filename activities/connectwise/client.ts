// A thin typed HTTP client for the ConnectWise Manage REST API (3.0). The npm `connectwise-rest` package neither
// waits out a 429 nor follows forward-only `pageId` paging, so Settle speaks HTTP itself:
// - auth: `Authorization: Basic base64(companyId+publicKey:privateKey)` and the integrator's `clientId` header;
// - lists: `conditions` filters, 1,000 per page (Manage's maximum), forward-only paging (`pagination-type:
//   forward-only`) by following the `Link: <…pageId=…>; rel="next"` header until there is none;
// - a 429 is retried after its `Retry-After`, a bounded number of times (then the activity's retry policy takes over);
// - writes send `Idempotency-Key`. Manage does not deduplicate on it (callers look up a deterministic marker before
//   creating), but it lets a proxy or the emulator tie a retried write to its first attempt.
// Secrets never reach a log or an error message: errors carry the method, path, status and Manage's message only.

export interface ManageCredentials {
  /** e.g. https://na.myconnectwise.net/v4_6_release/apis/3.0 (the emulator's /v4_6_release/apis/3.0). */
  baseUrl: string;
  /** The company id a member logs in with. */
  companyId: string;
  publicKey: string;
  privateKey: string;
  /** The integrator's clientId from developer.connectwise.com. */
  clientId: string;
}

export interface ManageClientOptions {
  /** Retries after 429 before giving up (default 5). */
  maxRateLimitRetries?: number;
  /** Longest Retry-After honoured; a longer one fails the call so the activity backs off instead (default 60 s). */
  maxRetryAfterMs?: number;
  /** Per HTTP attempt (default 30 s). */
  timeoutMs?: number;
  pageSize?: number;
  sleep?: (ms: number) => Promise<void>;
}

export const MANAGE_MAX_PAGE_SIZE = 1000;

export class ManageApiError extends Error {
  constructor(readonly method: string, readonly path: string, readonly status: number, readonly code: string | undefined, message: string) {
    super(`ConnectWise Manage ${method} ${path} answered ${status}${code ? ` ${code}` : ''}: ${message}`);
    this.name = 'ManageApiError';
  }
}

export interface ListOptions {
  conditions?: string;
  orderBy?: string;
}

export interface ManageClient {
  get<T>(path: string, query?: Record<string, string>): Promise<T>;
  /** Every record matching, page after page. */
  list<T>(path: string, opts?: ListOptions): Promise<T[]>;
  post<T>(path: string, body: unknown, idempotencyKey: string): Promise<T>;
  /** JSON Patch (Manage's PATCH takes `[{op, path, value}]`). */
  patch<T>(path: string, ops: Array<{ op: 'replace' | 'add'; path: string; value: unknown }>, idempotencyKey: string): Promise<T>;
  /** HTTP requests sent (429s included): for tests and the sandbox's numbers. */
  readonly stats: { requests: number; rateLimited: number };
}

/** A Manage conditions string value: double quotes, with quotes and backslashes escaped. */
export function conditionString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part.trim());
    if (m) return m[1];
  }
  return undefined;
}

export function createManageClient(creds: ManageCredentials, opts: ManageClientOptions = {}): ManageClient {
  const base = creds.baseUrl.replace(/\/+$/, '');
  const authorization = `Basic ${Buffer.from(`${creds.companyId}+${creds.publicKey}:${creds.privateKey}`).toString('base64')}`;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxRetries = opts.maxRateLimitRetries ?? 5;
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? 60_000;
  const pageSize = Math.min(opts.pageSize ?? MANAGE_MAX_PAGE_SIZE, MANAGE_MAX_PAGE_SIZE);
  const stats = { requests: 0, rateLimited: 0 };

  async function send(method: string, url: string, init: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
    const path = new URL(url).pathname;
    for (let attempt = 0; ; attempt++) {
      stats.requests++;
      const response = await fetch(url, {
        method,
        headers: {
          authorization, clientId: creds.clientId, accept: 'application/json',
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers,
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
      if (response.status === 429) {
        stats.rateLimited++;
        const seconds = Number(response.headers.get('retry-after'));
        const waitMs = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000;
        await response.body?.cancel();
        if (attempt >= maxRetries || waitMs > maxRetryAfterMs) {
          throw new ManageApiError(method, path, 429, 'RateLimited', `still rate limited after ${attempt + 1} attempts (Retry-After ${seconds}s)`);
        }
        await sleep(waitMs);
        continue;
      }
      if (!response.ok) {
        const text = await response.text();
        let code: string | undefined;
        let message = text.slice(0, 300);
        try {
          const body = JSON.parse(text) as { code?: string; message?: string };
          code = body.code;
          message = body.message ?? message;
        } catch {
          // not JSON: keep the text
        }
        throw new ManageApiError(method, path, response.status, code, message);
      }
      return response;
    }
  }
  const json = async <T>(response: Response): Promise<T> => (response.status === 204 ? (undefined as T) : ((await response.json()) as T));
  const urlOf = (path: string, query: Record<string, string> = {}) => {
    const url = new URL(`${base}${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url.toString();
  };

  return {
    stats,
    async get<T>(path: string, query?: Record<string, string>) {
      return json<T>(await send('GET', urlOf(path, query)));
    },
    async list<T>(path: string, listOpts: ListOptions = {}) {
      const query: Record<string, string> = { pageSize: String(pageSize) };
      if (listOpts.conditions) query.conditions = listOpts.conditions;
      if (listOpts.orderBy) query.orderBy = listOpts.orderBy;
      const all: T[] = [];
      let url: string | undefined = urlOf(path, query);
      while (url) {
        const response = await send('GET', url, { headers: { 'pagination-type': 'forward-only' } });
        all.push(...(await json<T[]>(response)));
        url = nextLink(response.headers.get('link'));
      }
      return all;
    },
    async post<T>(path: string, body: unknown, idempotencyKey: string) {
      return json<T>(await send('POST', urlOf(path), { body, headers: { 'idempotency-key': idempotencyKey } }));
    },
    async patch<T>(path: string, ops: Array<{ op: 'replace' | 'add'; path: string; value: unknown }>, idempotencyKey: string) {
      return json<T>(await send('PATCH', urlOf(path), { body: ops, headers: { 'idempotency-key': idempotencyKey } }));
    },
  };
}
