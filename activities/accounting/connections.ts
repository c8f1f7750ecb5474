// A merchant's accounting connections: which one serves a role, and a valid access token for it.
//
// Multi-connection off (the default): every role uses the wise-pay connection. Tokens are sealed at rest and
// refreshed shortly before they expire, one refresh at a time per connection across all processes (a row lock):
// Xero refresh tokens rotate on use, so two concurrent refreshes would lose the grant. `invalid_grant` means the
// merchant must reconnect: the connection is marked reconnect_required, a message and an action are raised, and
// no call goes to the platform on it until the merchant consents again (workflows wait: workflows/support/).
import { postMerchantMessage } from '../../db/messages';
import { merchantNotificationEmail } from '../../db/merchants';
import { enqueueEmail } from '../../db/outbox';
import { raiseMerchantAction, resolveMerchantActions } from '../../db/actions';
import type { Db } from '../../db/database';
import type { AccountingConnection } from '../../db/schema';
import { open, seal, type Keyring } from '../../lib/crypto/sealed-box';
import { newId } from '../../lib/ids';
import { noMailWaker, type MailWaker } from '../../lib/mail/relay';
import { connectionReconnectTemplate } from '../../lib/mail/templates';
import type { AccountingRole } from '../../lib/task-queues';
import type { PlatformName } from './platform';

export interface PlatformEndpoint {
  /** Xero: .../api.xro/2.0; QuickBooks: .../v3/company/ */
  apiBase: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  webAppBaseUrl?: string;
  /** The consent screen; without it (tests that never consent) the authorize route refuses this platform. */
  authorizeUrl?: string;
  /** RFC 7009 revocation (Xero's, Intuit's). */
  revocationUrl?: string;
  /** Xero only: GET ?authEventId= and DELETE /{connectionId}. */
  connectionsUrl?: string;
  /** The scopes asked for at consent. */
  scopes?: string[];
}

export type PlatformEndpoints = Record<PlatformName, PlatformEndpoint>;

export interface TokenSet {
  access_token: string;
  refresh_token: string;
  /** Seconds. */
  expires_in: number;
  /** QuickBooks: seconds until the refresh token lapses unless used (100 days, rolling). */
  x_refresh_token_expires_in?: number;
  /** QuickBooks: seconds until the grant's five-year hard expiry. */
  x_refresh_token_hard_expires_in?: number;
}

export type UnavailableReason = 'not-connected' | 'disconnected' | 'reconnect_required';

/** No usable connection for this role right now (never connected, disconnected, or its grant died): wait. */
export class ConnectionUnavailable extends Error {
  constructor(readonly merchantId: string, readonly role: AccountingRole, readonly reason: UnavailableReason) {
    super(`the ${role} accounting connection of ${merchantId} is ${reason}`);
  }
}

/** A connection's grant that a new one replaced while it was still live: the caller revokes it. */
export interface ReplacedGrant {
  platform: PlatformName;
  tenantId: string;
  platformConnectionId: string | null;
  tokens: SealedTokens;
}

export const platformTitle = (platform: PlatformName) => (platform === 'xero' ? 'Xero' : 'QuickBooks Online');

const secondsFromNow = (seconds: number | undefined) => (seconds === undefined ? null : new Date(Date.now() + seconds * 1000));

// Refresh this long before expiry, so a token never expires mid-call.
const REFRESH_MARGIN_MS = 120_000;
/** QuickBooks refresh tokens: the merchant hears this long before the rolling or the hard expiry. */
export const EXPIRY_WARNING_MS = 30 * 86_400_000;

/** The nearer of a connection's refresh-token expiries (QuickBooks), if it falls within the warning window. */
export function expiryToWarnOf(connection: Pick<AccountingConnection, 'status' | 'refresh_expires_at' | 'refresh_hard_expires_at' | 'expiry_warned_for'>, now = Date.now()) {
  if (connection.status !== 'connected') return undefined;
  const candidates = [
    connection.refresh_expires_at && { at: connection.refresh_expires_at, hard: false },
    connection.refresh_hard_expires_at && { at: connection.refresh_hard_expires_at, hard: true },
  ].filter((c): c is { at: Date; hard: boolean } => Boolean(c)).sort((a, b) => a.at.getTime() - b.at.getTime());
  const nearest = candidates[0];
  if (!nearest || nearest.at.getTime() - now > EXPIRY_WARNING_MS) return undefined;
  if (connection.expiry_warned_for?.getTime() === nearest.at.getTime()) return undefined; // told already
  return nearest;
}

export interface SealedTokens {
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
    /** Wakes the mail relay after the reconnection email is committed (its poll would find it anyway). */
    private readonly wakeMail: MailWaker = noMailWaker,
  ) {}

  private sealTokens(connectionId: string, tokens: SealedTokens): string {
    return seal(this.keyring, JSON.stringify({ access_token: tokens.access_token, refresh_token: tokens.refresh_token }), connectionId);
  }

  /** The row's grant while it is live (connected, tokens held): what a replacing consent or a disconnect ends. */
  private liveGrantOf(row: AccountingConnection): ReplacedGrant | undefined {
    if (row.status !== 'connected' || row.token_sealed === null) return undefined;
    return { platform: row.platform, tenantId: row.tenant_id, platformConnectionId: row.platform_connection_id, tokens: this.openTokens(row) };
  }

  private openTokens(connection: AccountingConnection): SealedTokens {
    if (connection.token_sealed === null) throw new ConnectionUnavailable(connection.merchant_id, connection.role, 'disconnected');
    return JSON.parse(open(this.keyring, connection.token_sealed, connection.id));
  }

  /**
   * Stores a grant the merchant completed (connect or reconnect) and clears the reconnect action. Connects are one
   * at a time per role (a row lock): of two consents racing, the later wins, and the grant it replaced, if that one
   * was still live, is handed back for the caller to revoke (never two live grants for one role).
   */
  async connect(
    merchantId: string,
    role: AccountingRole,
    grant: { platform: PlatformName; tenantId: string; tenantName?: string; tokens: TokenSet; platformConnectionId?: string },
  ): Promise<AccountingConnection & { replaced?: ReplacedGrant }> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('accounting_connections').selectAll().where('merchant_id', '=', merchantId).where('role', '=', role)
        .forUpdate().executeTakeFirst();
      const id = existing?.id ?? newId('con');
      const values = {
        platform: grant.platform,
        tenant_id: grant.tenantId,
        tenant_name: grant.tenantName ?? null,
        status: 'connected' as const,
        token_sealed: this.sealTokens(id, grant.tokens),
        access_expires_at: new Date(Date.now() + grant.tokens.expires_in * 1000),
        connected_at: new Date(),
        disconnected_at: null,
        platform_connection_id: grant.platformConnectionId ?? null,
        refresh_expires_at: secondsFromNow(grant.tokens.x_refresh_token_expires_in),
        refresh_hard_expires_at: secondsFromNow(grant.tokens.x_refresh_token_hard_expires_in),
        expiry_warned_for: null,
      };
      const row = existing
        ? await trx.updateTable('accounting_connections').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
        : await trx.insertInto('accounting_connections').values({ id, merchant_id: merchantId, role, ...values }).returningAll().executeTakeFirstOrThrow();
      await resolveMerchantActions(trx, merchantId, 'reconnect-accounting', id);
      // The start date is the first connection's day: payments before it are never uploaded.
      await trx.updateTable('merchants').set({ accounting_start_date: new Date().toISOString().slice(0, 10) })
        .where('id', '=', merchantId).where('accounting_start_date', 'is', null).execute();
      const replaced = existing && this.liveGrantOf(existing);
      return { ...row, replaced };
    });
  }

  /**
   * The merchant disconnected the role: the sealed tokens are erased and work for it waits. Answers the tokens
   * (and Xero connection id) that were live, for the caller to end the grant at the platform; undefined when the
   * role had no live grant.
   */
  async disconnect(merchantId: string, role: AccountingRole): Promise<ReplacedGrant | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('accounting_connections').selectAll().where('merchant_id', '=', merchantId).where('role', '=', role)
        .forUpdate().executeTakeFirst();
      if (!existing || existing.status === 'disconnected') return undefined;
      const live = this.liveGrantOf(existing);
      await trx.updateTable('accounting_connections')
        .set({ status: 'disconnected', token_sealed: null, disconnected_at: new Date(), access_expires_at: new Date(0) })
        .where('id', '=', existing.id).execute();
      // Nothing to reconnect: the merchant chose this.
      await resolveMerchantActions(trx, merchantId, 'reconnect-accounting', existing.id);
      return live;
    });
  }

  /**
   * The grant died (refresh refused with invalid_grant, Xero's 403 AuthenticationUnsuccessful, QuickBooks' 401 with a
   * fresh token): no call goes to the platform on it again until the merchant consents again. One Message, one open
   * Action and one email (to the merchant's notification address, if set) however many calls notice: only the call
   * that moves the row from connected writes them, all in one transaction.
   */
  async markReconnectRequired(connectionId: string): Promise<void> {
    if (await this.db.transaction().execute((trx) => this.markReconnectRequiredIn(trx, connectionId))) this.wakeMail();
  }

  /** markReconnectRequired inside the caller's transaction; true when it wrote the email (wake the relay after commit). */
  private async markReconnectRequiredIn(db: Db, connectionId: string): Promise<boolean> {
    const current = await db.updateTable('accounting_connections').set({ status: 'reconnect_required', disconnected_at: new Date() })
      .where('id', '=', connectionId).where('status', '=', 'connected').returningAll().executeTakeFirst();
    if (!current) return false;
    const title = platformTitle(current.platform);
    await raiseMerchantAction(db, {
      merchantId: current.merchant_id,
      kind: 'reconnect-accounting',
      subject: connectionId,
      detail: `The ${current.role} connection to ${title} must be reconnected (POST /v1/connections/${current.role}/authorize). Waiting work resumes then.`,
    });
    await postMerchantMessage(db, { merchantId: current.merchant_id, kind: 'accounting-disconnected',
      text: `The ${current.role} connection to ${title} was disconnected; nothing is synchronised on it until it is reconnected.` });
    const to = await merchantNotificationEmail(db, this.keyring, current.merchant_id);
    if (!to) return false;
    const merchant = await db.selectFrom('merchants').select('name').where('id', '=', current.merchant_id).executeTakeFirstOrThrow();
    // One per transition: the key names the moment this connection stopped, so a later stop (after a reconnect) is a new email.
    return enqueueEmail(db, this.keyring, { merchantId: current.merchant_id, template: 'accounting-reconnect',
      dedupeKey: `accounting-reconnect:${connectionId}:${current.disconnected_at!.getTime()}`,
      message: { to, ...connectionReconnectTemplate({ merchantName: merchant.name, role: current.role, platform: title }) } });
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
    if (connection.status !== 'connected') throw new ConnectionUnavailable(merchantId, effective, connection.status);
    // Read from the row in hand: a check on every use that costs nothing until there is something to say.
    if (expiryToWarnOf(connection)) await this.warnOfExpiry(connection.id);
    return connection;
  }

  /**
   * One Message per expiry, 30 days ahead: QuickBooks ends a refresh token unused for 100 days, and every grant five
   * years after it was made (Intuit's hard expiry); after either the merchant must consent again. Answers whether it
   * wrote one. Safe to call from any process at any time (the row lock makes it one message).
   */
  async warnOfExpiry(connectionId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('accounting_connections').selectAll().where('id', '=', connectionId).forUpdate().executeTakeFirst();
      const expiry = row && expiryToWarnOf(row);
      if (!row || !expiry) return false;
      const day = expiry.at.toISOString().slice(0, 10);
      await postMerchantMessage(trx, {
        merchantId: row.merchant_id,
        kind: 'accounting-grant-expiring',
        text: expiry.hard
          ? `The ${row.role} connection to ${platformTitle(row.platform)} ends on ${day} (the platform ends every grant five years after it was made). Reconnect it before then (POST /v1/connections/${row.role}/authorize) so nothing waits.`
          : `The ${row.role} connection to ${platformTitle(row.platform)} lapses on ${day} unless it is used before then. Reconnect it (POST /v1/connections/${row.role}/authorize) if it has stopped.`,
      });
      await trx.updateTable('accounting_connections').set({ expiry_warned_for: expiry.at }).where('id', '=', connectionId).execute();
      return true;
    });
  }

  /** Every connection whose expiry is within the window (for a daily sweep of connections nothing uses). */
  async warnOfExpiringGrants(now = new Date()): Promise<number> {
    const horizon = new Date(now.getTime() + EXPIRY_WARNING_MS);
    const rows = await this.db.selectFrom('accounting_connections').select('id').where('status', '=', 'connected')
      .where((eb) => eb.or([eb('refresh_expires_at', '<', horizon), eb('refresh_hard_expires_at', '<', horizon)])).execute();
    let warned = 0;
    for (const { id } of rows) if (await this.warnOfExpiry(id)) warned++;
    return warned;
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

  /** The access token of the connection as stored now (after markAccessTokenStale: refreshed). */
  async currentAccessToken(connectionId: string): Promise<string> {
    const row = await this.db.selectFrom('accounting_connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow();
    if (row.status !== 'connected') throw new ConnectionUnavailable(row.merchant_id, row.role, row.status);
    return this.accessToken(row);
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
      if (current.status !== 'connected') throw new ConnectionUnavailable(current.merchant_id, current.role, current.status);
      // Another process may have refreshed while we waited for the lock.
      if (current.access_expires_at.getTime() - Date.now() > REFRESH_MARGIN_MS) return { kind: 'token' as const, token: this.openTokens(current).access_token };
      const endpoint = this.endpoints[current.platform];
      const response = await fetch(endpoint.tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${endpoint.clientId}:${endpoint.clientSecret}`).toString('base64')}`,
          // Intuit answers the five-year hard expiry only when asked (intuit-oauth's includeRefreshTokenHardExpiresIn).
          ...(current.platform === 'quickbooks' ? { 'x-include-refresh-token-hard-expires-in': 'true' } : {}),
        },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: this.openTokens(current).refresh_token }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await response.json().catch(() => ({}))) as Partial<TokenSet> & { error?: string };
      if (response.status === 400 && body.error === 'invalid_grant') {
        return { kind: 'disconnected' as const, connection: current, emailed: await this.markReconnectRequiredIn(trx, connectionId) };
      }
      if (!response.ok || !body.access_token || !body.refresh_token || !body.expires_in) {
        throw new Error(`token refresh failed with HTTP ${response.status}`);
      }
      await trx
        .updateTable('accounting_connections')
        .set({
          token_sealed: this.sealTokens(connectionId, { access_token: body.access_token, refresh_token: body.refresh_token }),
          access_expires_at: new Date(Date.now() + body.expires_in * 1000),
          // QuickBooks: the lifetimes of the latest refresh token (warnOfExpiry tells the merchant 30 days ahead).
          ...(body.x_refresh_token_expires_in === undefined ? {} : { refresh_expires_at: secondsFromNow(body.x_refresh_token_expires_in) }),
          ...(body.x_refresh_token_hard_expires_in === undefined ? {} : { refresh_hard_expires_at: secondsFromNow(body.x_refresh_token_hard_expires_in) }),
        })
        .where('id', '=', connectionId)
        .execute();
      this.refreshes++;
      return { kind: 'token' as const, token: body.access_token };
    });
    if (outcome.kind === 'disconnected') {
      if (outcome.emailed) this.wakeMail();
      throw new ConnectionUnavailable(outcome.connection.merchant_id, outcome.connection.role, 'reconnect_required');
    }
    return outcome.token;
  }
}
