// A merchant's accounting connections: which one serves a role, and a valid access token for it.
//
// Multi-connection off (the default): every role uses the wise-pay connection. Tokens are sealed at rest and
// refreshed shortly before they expire, one refresh at a time per connection across all processes (a row lock):
// Xero refresh tokens rotate on use, so two concurrent refreshes would lose the grant. `invalid_grant` means the
// merchant must reconnect: the connection is marked disconnected and an action is raised; work waits (retries)
// until the merchant reconnects.
import { postMerchantMessage } from '../../db/messages';
import { raiseMerchantAction, resolveMerchantActions } from '../../db/actions';
import type { Db } from '../../db/database';
import type { AccountingConnection } from '../../db/schema';
import { open, seal, type Keyring } from '../../lib/crypto/sealed-box';
import { newId } from '../../lib/ids';
import type { AccountingRole } from '../../lib/task-queues';
import type { PlatformName } from './platform';

export interface PlatformEndpoint {
  /** Xero: .../api.xro/2.0; QuickBooks: .../v3/company/ */
  apiBase: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  webAppBaseUrl?: string;
}

export type PlatformEndpoints = Record<PlatformName, PlatformEndpoint>;

export interface TokenSet {
  access_token: string;
  refresh_token: string;
  /** Seconds. */
  expires_in: number;
}

/** No usable connection for this role right now (never connected, or disconnected): retry later. */
export class ConnectionUnavailable extends Error {
  constructor(readonly merchantId: string, readonly role: AccountingRole, readonly reason: 'not-connected' | 'disconnected') {
    super(`the ${role} accounting connection of ${merchantId} is ${reason}`);
  }
}

// Refresh this long before expiry, so a token never expires mid-call.
const REFRESH_MARGIN_MS = 120_000;

interface SealedTokens {
  access_token: string;
  refresh_token: string;
}

export class ConnectionStore {
  private readonly refreshing = new Map<string, Promise<string>>();
  /** Refreshes this process performed (tests and benchmarks read it). */
  refreshes = 0;

  constructor(
    private readonly db: Db,
    private readonly keyring: Keyring,
    readonly endpoints: PlatformEndpoints,
  ) {}

  private sealTokens(connectionId: string, tokens: SealedTokens): string {
    return seal(this.keyring, JSON.stringify({ access_token: tokens.access_token, refresh_token: tokens.refresh_token }), connectionId);
  }

  private openTokens(connection: AccountingConnection): SealedTokens {
    return JSON.parse(open(this.keyring, connection.token_sealed, connection.id));
  }

  /** Stores a grant the merchant completed (connect or reconnect) and clears the reconnect action. */
  async connect(merchantId: string, role: AccountingRole, grant: { platform: PlatformName; tenantId: string; tokens: TokenSet }): Promise<AccountingConnection> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('accounting_connections').select('id').where('merchant_id', '=', merchantId).where('role', '=', role).executeTakeFirst();
      const id = existing?.id ?? newId('con');
      const values = {
        platform: grant.platform,
        tenant_id: grant.tenantId,
        status: 'connected' as const,
        token_sealed: this.sealTokens(id, grant.tokens),
        access_expires_at: new Date(Date.now() + grant.tokens.expires_in * 1000),
        connected_at: new Date(),
        disconnected_at: null,
      };
      const row = existing
        ? await trx.updateTable('accounting_connections').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
        : await trx.insertInto('accounting_connections').values({ id, merchant_id: merchantId, role, ...values }).returningAll().executeTakeFirstOrThrow();
      await resolveMerchantActions(trx, merchantId, 'reconnect-accounting', id);
      // The start date is the first connection's day: payments before it are never uploaded.
      await trx.updateTable('merchants').set({ accounting_start_date: new Date().toISOString().slice(0, 10) })
        .where('id', '=', merchantId).where('accounting_start_date', 'is', null).execute();
      return row;
    });
  }

  /** The role a role's work actually uses: its own only when multi-connection is on. */
  async effectiveRole(merchantId: string, role: AccountingRole): Promise<AccountingRole> {
    const merchant = await this.db.selectFrom('merchants').select('multi_connection').where('id', '=', merchantId).executeTakeFirst();
    return merchant?.multi_connection ? role : 'wise-pay';
  }

  async resolve(merchantId: string, role: AccountingRole): Promise<AccountingConnection> {
    const effective = await this.effectiveRole(merchantId, role);
    const connection = await this.db
      .selectFrom('accounting_connections')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .where('role', '=', effective)
      .executeTakeFirst();
    if (!connection) throw new ConnectionUnavailable(merchantId, effective, 'not-connected');
    if (connection.status !== 'connected') throw new ConnectionUnavailable(merchantId, effective, 'disconnected');
    return connection;
  }

  /** A valid access token, refreshed first when it is about to expire. */
  async accessToken(connection: AccountingConnection): Promise<string> {
    if (connection.access_expires_at.getTime() - Date.now() > REFRESH_MARGIN_MS) return this.openTokens(connection).access_token;
    // One refresh per connection in this process; the row lock makes it one across processes.
    let pending = this.refreshing.get(connection.id);
    if (!pending) {
      pending = this.refresh(connection.id).finally(() => this.refreshing.delete(connection.id));
      this.refreshing.set(connection.id, pending);
    }
    return pending;
  }

  /** After the platform refused the access token: the next call refreshes. */
  async markAccessTokenStale(connectionId: string): Promise<void> {
    await this.db.updateTable('accounting_connections').set({ access_expires_at: new Date(0) }).where('id', '=', connectionId).execute();
  }

  async touch(connectionId: string): Promise<void> {
    await this.db.updateTable('accounting_connections').set({ last_used_at: new Date() }).where('id', '=', connectionId).execute();
  }

  private async refresh(connectionId: string): Promise<string> {
    const outcome = await this.db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('accounting_connections').selectAll().where('id', '=', connectionId).forUpdate().executeTakeFirstOrThrow();
      if (current.status !== 'connected') throw new ConnectionUnavailable(current.merchant_id, current.role, 'disconnected');
      // Another process may have refreshed while we waited for the lock.
      if (current.access_expires_at.getTime() - Date.now() > REFRESH_MARGIN_MS) return { kind: 'token' as const, token: this.openTokens(current).access_token };
      const endpoint = this.endpoints[current.platform];
      const response = await fetch(endpoint.tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${endpoint.clientId}:${endpoint.clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: this.openTokens(current).refresh_token }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await response.json().catch(() => ({}))) as Partial<TokenSet> & { error?: string };
      if (response.status === 400 && body.error === 'invalid_grant') {
        await trx.updateTable('accounting_connections').set({ status: 'disconnected', disconnected_at: new Date() }).where('id', '=', connectionId).execute();
        await raiseMerchantAction(trx, {
          merchantId: current.merchant_id,
          kind: 'reconnect-accounting',
          subject: connectionId,
          detail: `The ${current.role} connection to ${current.platform === 'xero' ? 'Xero' : 'QuickBooks Online'} was disconnected. Reconnect it; waiting work resumes then.`,
        });
        await postMerchantMessage(trx, { merchantId: current.merchant_id, kind: 'accounting-disconnected',
          text: `The ${current.role} connection to ${current.platform === 'xero' ? 'Xero' : 'QuickBooks Online'} was disconnected; nothing is synchronised on it until it is reconnected.` });
        return { kind: 'disconnected' as const, connection: current };
      }
      if (!response.ok || !body.access_token || !body.refresh_token || !body.expires_in) {
        throw new Error(`token refresh failed with HTTP ${response.status}`);
      }
      await trx
        .updateTable('accounting_connections')
        .set({
          token_sealed: this.sealTokens(connectionId, { access_token: body.access_token, refresh_token: body.refresh_token }),
          access_expires_at: new Date(Date.now() + body.expires_in * 1000),
        })
        .where('id', '=', connectionId)
        .execute();
      this.refreshes++;
      return { kind: 'token' as const, token: body.access_token };
    });
    if (outcome.kind === 'disconnected') {
      throw new ConnectionUnavailable(outcome.connection.merchant_id, outcome.connection.role, 'disconnected');
    }
    return outcome.token;
  }
}
