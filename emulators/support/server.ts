// A small HTTP server for the SaaS emulators: routing, body parsing, middleware (auth, rate limits,
// idempotency, faults) and a control API under /_emulator for tests and the sandbox.
// Emulators talk HTTP like the real services so the real SDKs can be pointed at them.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface EmulatorRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** JSON or form bodies parsed; otherwise the raw text. */
  body: any;
  params: Record<string, string>;
}

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings as they are. */
  body?: unknown;
  /** Close the socket without answering (a dropped connection). */
  drop?: boolean;
}

export type Handler = (req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>;
export type Middleware = (req: EmulatorRequest, next: () => Promise<EmulatorResponse>) => Promise<EmulatorResponse>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

function compile(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_m, name) => {
    names.push(name);
    return '([^/]+)';
  });
  return { pattern: new RegExp(`^${source}$`, 'i'), names };
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (!raw) return undefined;
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  if (contentType?.includes('x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  return raw;
}

export class EmulatorServer {
  private readonly routes: Route[] = [];
  private readonly middleware: Middleware[] = [];
  private readonly sockets = new Set<Socket>();
  private server?: http.Server;
  url = '';

  route(method: string, path: string, handler: Handler): this {
    this.routes.push({ method: method.toUpperCase(), ...compile(path), handler });
    return this;
  }

  /** Middleware runs for every route except the control API, in the order added. */
  use(mw: Middleware): this {
    this.middleware.push(mw);
    return this;
  }

  private async dispatch(req: EmulatorRequest): Promise<EmulatorResponse> {
    let methodMismatch = false;
    for (const route of this.routes) {
      const match = route.pattern.exec(req.path);
      if (!match) continue;
      if (route.method !== req.method) {
        methodMismatch = true;
        continue;
      }
      route.names.forEach((name, i) => (req.params[name] = decodeURIComponent(match[i + 1])));
      if (req.path.startsWith('/_emulator/')) return route.handler(req);
      const chain = [...this.middleware];
      const next = async (): Promise<EmulatorResponse> => {
        const mw = chain.shift();
        return mw ? mw(req, next) : route.handler(req);
      };
      return next();
    }
    return { status: methodMismatch ? 405 : 404, body: { message: `no emulated route for ${req.method} ${req.path}` } };
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = http.createServer(async (incoming, outgoing) => {
      const chunks: Buffer[] = [];
      for await (const chunk of incoming) chunks.push(chunk as Buffer);
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const url = new URL(incoming.url ?? '/', 'http://emulator');
      const req: EmulatorRequest = {
        method: (incoming.method ?? 'GET').toUpperCase(),
        path: url.pathname,
        query: url.searchParams,
        headers: incoming.headers,
        rawBody,
        body: parseBody(rawBody, incoming.headers['content-type']),
        params: {},
      };
      let res: EmulatorResponse;
      try {
        res = await this.dispatch(req);
      } catch (err) {
        res = { status: 500, body: { message: `emulator error: ${(err as Error).message}` } };
      }
      if (res.drop) {
        incoming.socket.destroy();
        return;
      }
      const isText = typeof res.body === 'string';
      const payload = res.body === undefined ? '' : isText ? (res.body as string) : JSON.stringify(res.body);
      outgoing.writeHead(res.status, {
        ...(res.body === undefined ? {} : { 'content-type': isText ? 'text/plain' : 'application/json' }),
        ...res.headers,
      });
      outgoing.end(payload);
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    this.url = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
