// A small HTTP client for API tests: real requests over loopback, JSON in and out. Every answer to an operation of
// the API's own /openapi.json is checked against it (status and body, test/support/openapi-contract.ts), so every API
// test also proves the document is the contract.
import { contractOf, type ContractCheck } from './openapi-contract';

export interface HttpResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export function httpClient(baseUrl: string, defaultKey?: string) {
  return async function request<T = any>(
    method: string,
    path: string,
    opts: { key?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpResponse<T>> {
    const key = opts.key === undefined ? defaultKey : opts.key;
    const headers: Record<string, string> = { ...opts.headers };
    if (key) headers.authorization = `Bearer ${key}`;
    let body: string | undefined = opts.rawBody;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    const answer = { status: response.status, headers: response.headers, body: parsed as T };
    const contract = await contractAt(baseUrl);
    const op = contract?.operationFor(method, path);
    if (op) contract!.check(`${method} ${path}`, op, answer);
    return answer;
  };
}

interface Contract {
  check: ContractCheck;
  operationFor(method: string, path: string): any;
}

const contracts = new Map<string, Promise<Contract | undefined>>();

/** The contract of the API at `baseUrl`, read once; undefined where nothing there serves /openapi.json (an emulator). */
function contractAt(baseUrl: string): Promise<Contract | undefined> {
  let found = contracts.get(baseUrl);
  if (!found) {
    found = (async () => {
      const res = await fetch(`${baseUrl}/openapi.json`).catch(() => undefined);
      if (!res?.ok || !res.headers.get('content-type')?.includes('json')) return undefined;
      const doc: any = await res.json().catch(() => undefined);
      if (!doc?.paths) return undefined;
      // The most specific template first: /v1/payments/{id}/refunds before /v1/payments/{id}.
      const templates = Object.keys(doc.paths).map((template) => ({
        template, params: (template.match(/\{/g) ?? []).length,
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{\w+\\?\}/g, '[^/]+')}$`),
      })).sort((a, b) => a.params - b.params);
      return {
        check: contractOf(doc),
        operationFor(method: string, path: string) {
          const pathname = path.split('?')[0];
          const match = templates.find((t) => t.pattern.test(pathname));
          return match ? doc.paths[match.template][method.toLowerCase()] : undefined;
        },
      };
    })();
    contracts.set(baseUrl, found);
  }
  return found;
}
