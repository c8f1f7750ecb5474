// A small HTTP client for API tests: real requests over loopback, JSON in and out.
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
    return { status: response.status, headers: response.headers, body: parsed as T };
  };
}
