// node-quickbooks hands failures over in three shapes: an axios error (non-2xx: status, headers and the body in
// err.response), the parsed body itself (a 200 whose body holds a Fault), or a transport error with no response.
// QBO's bodies vary too: `Fault.Error[]` (JSON), `fault.error[]` (the lower-case form of 401s) or XML (some 403
// throttles). This turns all of them into the port's errors.
import {
  PlatformError, PlatformNotFound, PlatformRateLimited, PlatformRejected, PlatformUnauthorized, PlatformUnavailable,
} from '../platform';

/** When a throttled answer carries no Retry-After: QBO's limits are per minute. */
export const DEFAULT_RETRY_AFTER_MS = 60_000;

interface FaultError {
  code: string;
  message: string;
  detail: string;
}

interface Fault {
  type?: string;
  errors: FaultError[];
}

function faultOf(body: unknown): Fault | undefined {
  if (typeof body === 'string') {
    if (body.trimStart().startsWith('{')) {
      try {
        return faultOf(JSON.parse(body));
      } catch {
        return undefined;
      }
    }
    if (!/<Fault\b/i.test(body)) return undefined;
    const errors = [...body.matchAll(/<Error\b[^>]*code="([^"]*)"[^>]*>([\s\S]*?)<\/Error>/gi)].map(([, code, inner]) => ({
      code,
      message: /<Message>([\s\S]*?)<\/Message>/i.exec(inner)?.[1] ?? '',
      detail: /<Detail>([\s\S]*?)<\/Detail>/i.exec(inner)?.[1] ?? '',
    }));
    return { type: /<Fault\b[^>]*type="([^"]*)"/i.exec(body)?.[1], errors };
  }
  if (!body || typeof body !== 'object') return undefined;
  const raw = (body as any).Fault ?? (body as any).fault;
  if (!raw || typeof raw !== 'object') return undefined;
  const list: any[] = raw.Error ?? raw.error ?? [];
  return {
    type: raw.type,
    errors: list.map((e) => ({
      code: String(e.code ?? ''),
      message: String(e.Message ?? e.message ?? ''),
      detail: String(e.Detail ?? e.detail ?? ''),
    })),
  };
}

function retryAfterMs(headers: any): number {
  const value = headers?.['retry-after'] ?? headers?.get?.('retry-after');
  if (value === undefined || value === null || value === '') return DEFAULT_RETRY_AFTER_MS;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, at - Date.now());
}

const TRANSPORT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'ERR_NETWORK']);

/** The port error for a failed node-quickbooks call; `what` names the call, for the message. */
export function toPlatformError(err: unknown, what: string): PlatformError {
  if (err instanceof PlatformError) return err;
  const e = err as any;
  const response = e?.response;
  const status: number | undefined = typeof response?.status === 'number' ? response.status : undefined;
  const body = response ? response.data : (e?.Fault || e?.fault ? e : undefined);
  const fault = faultOf(body);
  const codes = fault?.errors.map((x) => x.code.replace(/^0+/, '')) ?? [];
  const details = fault?.errors.map((x) => `${x.code}: ${x.message}${x.detail ? ` - ${x.detail}` : ''}`) ?? [];
  const summary = details[0] ?? (typeof body === 'string' ? body.slice(0, 200) : e?.message ?? String(err));
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? '');

  if (status === 429 || codes.includes('3001') || /ThrottleExceeded/i.test(text)) {
    return new PlatformRateLimited(retryAfterMs(response?.headers), 'throttle', status ?? 429);
  }
  if (status === 401 || codes.includes('3200') || codes.includes('3100') || /^AUTHENTICATION/i.test(fault?.type ?? '')) {
    return new PlatformUnauthorized(`QuickBooks refused the access token (${what}): ${summary}`, status ?? 401);
  }
  if (status !== undefined && status >= 500) return new PlatformUnavailable(`QuickBooks failed (${what}): HTTP ${status} ${summary}`, status);
  // Stale object: someone changed it between our read and our write. Reading again and retrying will do.
  if (codes.includes('5010')) return new PlatformUnavailable(`QuickBooks object changed meanwhile (${what}): ${summary}`, status);
  if (codes.includes('610') || (status === 404 && !fault)) return new PlatformNotFound(`QuickBooks has no such object (${what}): ${summary}`, status);
  if (fault || (status !== undefined && status >= 400)) {
    return new PlatformRejected(`QuickBooks refused ${what}: ${summary}`, details.length ? details : [summary], status);
  }
  if (e?.isAxiosError || TRANSPORT_CODES.has(e?.code) || /socket hang up|timeout|network/i.test(String(e?.message))) {
    return new PlatformUnavailable(`QuickBooks could not be reached (${what}): ${e?.code ?? ''} ${e?.message ?? ''}`.trim());
  }
  return new PlatformError(`QuickBooks call failed (${what}): ${e?.message ?? String(err)}`, status);
}
