// Which merchant an API key belongs to, remembered by this API process: an authenticated request needs no Postgres
// round trip. That query was a fifth of the API's CPU on the payment start route (bench/api.ts), and its socket
// writes and Postgres's own work came on top.
//
// Revocation still takes effect at once everywhere. Any change to merchant_api_keys notifies the channel
// `settle_api_keys` when it commits (migration 0014), and every process listening forgets all it remembered. The
// process that revokes a key forgets at once, before it answers. Entries are used only while notifications are seen
// to arrive: the listener sends itself a heartbeat notification through Postgres every few seconds, and when the
// connection drops or a heartbeat does not come back in time (a half-open connection, or a pooler in transaction mode
// that does not pass LISTEN on), everything is forgotten and every lookup goes to Postgres until it is back, so a
// revocation made while the listener was away cannot be missed. A lookup that was in flight when a notification
// came is not remembered: it may have read the key before the change.
//
// Only the key's merchant id is kept, never the merchant's settings: those are read when a route needs them, so a
// setting saved a moment ago is never answered from here. Keys are kept by their SHA-256, as in the table.
import { randomBytes } from 'node:crypto';
import { Client, type Notification } from 'pg';
import type { Db } from '../../db/database';
import { hashApiKey, merchantIdForKeyHash } from '../../db/merchants';
import type { Logger } from '../../lib/logger';

const API_KEY_CHANNEL = 'settle_api_keys';
/** The listening connection's application_name: how ops (and the tests) find it in pg_stat_activity. */
export const API_KEY_LISTENER_NAME = 'settle-api-key-listener';

export interface ApiKeyCacheOptions {
  /** How long an entry is used at most, even with no notification (a last bound if notifications were lost). */
  ttlMs?: number;
  maxEntries?: number;
  /** How often the listener sends itself a heartbeat notification; one not back within two intervals counts as lost. */
  heartbeatMs?: number;
  /** How long to wait before listening again after the connection dropped. */
  reconnectMs?: number;
}

interface Entry {
  merchantId: string;
  expiresAt: number;
}

export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly heartbeatMs: number;
  private readonly reconnectMs: number;
  /** Bumped on every forget: a lookup that started under another generation may have read a changed key. */
  private generation = 0;
  private listener?: Client;
  private heartbeat?: NodeJS.Timeout;
  /** The payload of this process's heartbeats, and when the last one came back. */
  private readonly heartbeatPayload = `heartbeat:${randomBytes(9).toString('base64url')}`;
  private heartbeatSeenAt = 0;
  private reconnect?: NodeJS.Timeout;
  private closed = false;
  /** Answers given from memory, and lookups that went to Postgres (for ops and the tests). */
  readonly stats = { hits: 0, misses: 0 };

  constructor(
    private readonly databaseUrl: string,
    private readonly db: Db,
    private readonly log: Logger,
    options: ApiKeyCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.heartbeatMs = options.heartbeatMs ?? 10_000;
    this.reconnectMs = options.reconnectMs ?? 1_000;
  }

  /** Starts listening. Never fails: until the listener is up, every lookup goes to Postgres. */
  static async start(databaseUrl: string, db: Db, log: Logger, options?: ApiKeyCacheOptions): Promise<ApiKeyCache> {
    const cache = new ApiKeyCache(databaseUrl, db, log, options);
    await cache.listen();
    return cache;
  }

  /** True while entries may be used: the listening connection is up and its notifications arrive. */
  get listening(): boolean {
    return this.listener !== undefined && Date.now() - this.heartbeatSeenAt <= 2 * this.heartbeatMs;
  }

  /** The merchant whose active key this is. */
  async merchantIdFor(key: string): Promise<string | undefined> {
    const keyHash = hashApiKey(key);
    const id = keyHash.toString('base64');
    const entry = this.listening ? this.entries.get(id) : undefined;
    if (entry && entry.expiresAt > Date.now()) {
      this.stats.hits += 1;
      return entry.merchantId;
    }
    this.stats.misses += 1;
    const generation = this.generation;
    const merchantId = await merchantIdForKeyHash(this.db, keyHash);
    if (merchantId && this.listening && generation === this.generation) {
      // Full: drop the oldest entries (a Map iterates in insertion order).
      while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(id, { merchantId, expiresAt: Date.now() + this.ttlMs });
    }
    return merchantId;
  }

  /** Forgets every key: after this process changed one, and on every notification. */
  forget(): void {
    this.entries.clear();
    this.generation += 1;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnect);
    await this.drop(this.listener);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: API_KEY_LISTENER_NAME, keepAlive: true,
      query_timeout: this.heartbeatMs });
    client.on('error', (err) => this.lost(client, err.message));
    client.on('end', () => this.lost(client, 'connection ended'));
    client.on('notification', (message) => this.notified(message));
    try {
      await client.connect();
      await client.query(`listen ${API_KEY_CHANNEL}`);
    } catch (err) {
      this.lost(client, (err as Error).message);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    // Anything remembered before the connection was up may have missed a notification.
    this.forget();
    this.listener = client;
    this.heartbeatSeenAt = Date.now();
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.heartbeatSeenAt > 2 * this.heartbeatMs) {
        this.lost(client, 'heartbeat notifications stopped arriving');
        return;
      }
      client.query('select pg_notify($1, $2)', [API_KEY_CHANNEL, this.heartbeatPayload])
        .catch((err: Error) => this.lost(client, `heartbeat: ${err.message}`));
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }

  private notified(message: Notification): void {
    // Heartbeats (ours and other processes') change no key.
    if (message.payload?.startsWith('heartbeat:')) {
      if (message.payload === this.heartbeatPayload) this.heartbeatSeenAt = Date.now();
      return;
    }
    this.forget();
  }

  private lost(client: Client, reason: string): void {
    const wasListening = this.listener === client;
    // Not awaited: a connection to a server that stopped answering ends only when the server is back.
    void this.drop(client);
    if (this.closed || this.reconnect) return;
    if (wasListening) this.log.warn({ reason }, 'API key listener lost; authenticating every request against Postgres until it is back');
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      void this.listen();
    }, this.reconnectMs);
    this.reconnect.unref();
  }

  private async drop(client: Client | undefined): Promise<void> {
    if (!client) return;
    if (this.listener === client) {
      this.listener = undefined;
      clearInterval(this.heartbeat);
      this.forget();
    }
    client.removeAllListeners('notification');
    await client.end().catch(() => undefined);
  }
}
