// Faults an emulator can be told to inject, for tests and chaos runs: latency, 5xx errors, bursts of 429s,
// dropped connections and timeouts. Set them in-process or over HTTP: POST /_emulator/faults.
import type { EmulatorResponse, EmulatorServer, Middleware } from './server';

export interface FaultSettings {
  /** Added to every answer. */
  latencyMs?: number;
  /** Share of requests (0..1) answered with a 503. */
  errorRate?: number;
  /** The next N requests are answered 429 with this Retry-After (seconds). */
  rateLimitBurst?: { count: number; retryAfterSeconds: number };
  /** Share of requests whose connection is dropped without an answer. */
  dropRate?: number;
  /** Share of requests that hang for this long before answering (a client timeout). */
  timeout?: { rate: number; ms: number };
  /** Only requests with one of these methods and paths (exact, e.g. `GET /connections`) get the faults; all when absent. */
  only?: string[];
}

export interface FaultCounts {
  errors: number;
  rateLimited: number;
  dropped: number;
  timedOut: number;
}

/** A small deterministic generator, so a fault run can be repeated. */
function seededRandom(seed: number) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

export class FaultInjector {
  private settings: FaultSettings = {};
  private random = seededRandom(42);
  readonly counts: FaultCounts = { errors: 0, rateLimited: 0, dropped: 0, timedOut: 0 };
  private held = 0;

  /** Requests hanging in a `timeout` fault right now (they carry on to be answered once the hang ends). */
  get holding(): number {
    return this.held;
  }

  constructor(private readonly rateLimitedResponse: (retryAfterSeconds: number) => EmulatorResponse) {}

  set(settings: FaultSettings, seed = 42): void {
    this.settings = structuredClone(settings);
    this.random = seededRandom(seed);
  }

  clear(): void {
    this.settings = {};
  }

  readonly middleware: Middleware = async (req, next) => {
    const s = this.settings;
    if (s.only && !s.only.includes(`${req.method} ${req.path}`)) return next();
    if (s.latencyMs) await new Promise((r) => setTimeout(r, s.latencyMs));
    if (s.timeout && this.random() < s.timeout.rate) {
      this.counts.timedOut++;
      this.held++;
      await new Promise((r) => setTimeout(r, s.timeout!.ms)).finally(() => this.held--);
    }
    if (s.rateLimitBurst && s.rateLimitBurst.count > 0) {
      s.rateLimitBurst.count--;
      this.counts.rateLimited++;
      return this.rateLimitedResponse(s.rateLimitBurst.retryAfterSeconds);
    }
    if (s.dropRate && this.random() < s.dropRate) {
      this.counts.dropped++;
      return { status: 0, drop: true };
    }
    if (s.errorRate && this.random() < s.errorRate) {
      this.counts.errors++;
      return { status: 503, body: { message: 'emulated outage' } };
    }
    return next();
  };
}

/** POST /_emulator/faults (settings, optional seed) and DELETE /_emulator/faults: how tests and chaos runs set faults over HTTP. */
export function mountFaultRoutes(server: EmulatorServer, faults: FaultInjector): void {
  server.route('POST', '/_emulator/faults', (req) => {
    const { seed, ...settings } = (req.body ?? {}) as FaultSettings & { seed?: number };
    faults.set(settings, seed);
    return { status: 204 };
  });
  server.route('DELETE', '/_emulator/faults', () => {
    faults.clear();
    return { status: 204 };
  });
}
