// Webhook delivery as Stripe does it: each event is POSTed as JSON to every endpoint with a `Stripe-Signature`
// header (`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<payload>" under the endpoint's secret>`), so
// `stripe.webhooks.constructEvent` accepts it. Deliveries never hold up an API answer; they go out in order per
// payment intent (a `succeeded` never overtakes its `processing`), and a failed one is retried a few times with
// a short backoff before it counts as failed. Stripe retries for days; an emulator run is minutes long.
// Which endpoint gets which event is Stripe's rule: an account's own endpoints get that account's events (an
// endpoint made with no account gets the events of every key's own account, as before Connect); a Connect endpoint
// (`connect: true`, made by the platform) gets the events of every connected account, each naming it in `account`.
import { createHmac } from 'node:crypto';
import type { StripeEvent } from './state';

export interface WebhookEndpoint {
  url: string;
  secret: string;
  /** A platform's Connect endpoint: the connected accounts' events. */
  connect?: boolean;
  /** An endpoint made on this account (e.g. a connected account's own dashboard): its events only. */
  account?: string;
}

export type WebhookEndpointOptions = Pick<WebhookEndpoint, 'connect' | 'account'>;

export interface WebhookDelivery {
  eventId: string;
  type: string;
  url: string;
  /** The last answer's status; 0 when the endpoint could not be reached. */
  status: number;
  attempts: number;
  ok: boolean;
}

export interface WebhookOptions {
  /** Tries per event and endpoint, the first included. */
  attempts?: number;
  /** Wait before the first retry; doubled for each further one. */
  backoffMs?: number;
  /** How long an endpoint may take to answer one attempt. */
  timeoutMs?: number;
}

export function signatureHeader(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

export class WebhookDispatcher {
  readonly endpoints: WebhookEndpoint[] = [];
  readonly deliveries: WebhookDelivery[] = [];
  delivered = 0;
  failed = 0;
  private readonly queues = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<void>>();
  private readonly closing = new AbortController();
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;

  constructor(opts: WebhookOptions = {}) {
    this.attempts = opts.attempts ?? 4;
    this.backoffMs = opts.backoffMs ?? 100;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
  }

  add(url: string, secret: string, opts: WebhookEndpointOptions = {}): void {
    this.endpoints.push({ url, secret, ...opts });
  }

  /** The endpoints an event of `accountId` goes to. */
  endpointsFor(event: StripeEvent, accountId: string): WebhookEndpoint[] {
    return this.endpoints.filter((e) => {
      if (e.connect) return event.account !== undefined;
      if (e.account) return e.account === accountId;
      return event.account === undefined;
    });
  }

  /**
   * Queues an event for its endpoints; `orderKey` (a payment intent id) keeps that intent's events in order.
   * Sending an event again (the control API's resend) delivers the same event, id and all, as Stripe's retries do.
   */
  enqueue(event: StripeEvent, orderKey: string, accountId: string): void {
    if (this.closing.signal.aborted) return;
    const payload = JSON.stringify(event, null, 2); // Stripe sends its events pretty-printed
    for (const endpoint of this.endpointsFor(event, accountId)) {
      const queueKey = `${endpoint.url}\0${orderKey}`;
      const previous = this.queues.get(queueKey) ?? Promise.resolve();
      const next = previous.then(() => this.deliver(endpoint, event, payload));
      this.queues.set(queueKey, next);
      this.pending.add(next);
      void next.finally(() => {
        this.pending.delete(next);
        if (this.queues.get(queueKey) === next) this.queues.delete(queueKey);
      });
    }
  }

  /** Resolves once every queued delivery has succeeded or given up (new ones queued meanwhile included). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Stops pending deliveries and retries; attempts in flight are aborted. */
  close(): void {
    this.closing.abort();
  }

  private async deliver(endpoint: WebhookEndpoint, event: StripeEvent, payload: string): Promise<void> {
    let status = 0;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (this.closing.signal.aborted) return;
      status = await this.post(endpoint, payload);
      if (status >= 200 && status < 300) {
        this.delivered++;
        this.deliveries.push({ eventId: event.id, type: event.type, url: endpoint.url, status, attempts: attempt, ok: true });
        return;
      }
      if (attempt < this.attempts) await this.sleep(this.backoffMs * 2 ** (attempt - 1));
    }
    if (this.closing.signal.aborted) return;
    this.failed++;
    this.deliveries.push({ eventId: event.id, type: event.type, url: endpoint.url, status, attempts: this.attempts, ok: false });
  }

  private async post(endpoint: WebhookEndpoint, payload: string): Promise<number> {
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': signatureHeader(payload, endpoint.secret),
        },
        body: payload,
        signal: AbortSignal.any([this.closing.signal, AbortSignal.timeout(this.timeoutMs)]),
      });
      await response.arrayBuffer(); // drain, so the connection can be reused
      return response.status;
    } catch {
      return 0;
    }
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.closing.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }
}
