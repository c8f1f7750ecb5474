// The OAuth authorization-code life cycle of a connection role: start a consent (a URL with a fresh state), finish
// it at the callback (code → tokens with the platform's SDK, sealed at once), let the merchant pick one of several
// Xero organisations, and disconnect. Bad input never stores anything (ConsentRefused, errors.ts); a grant that a
// newer one replaces is revoked, so a role never has two live grants.
import type { Db } from '../../../db/database';
import { open, seal, type Keyring } from '../../../lib/crypto/sealed-box';
import { newId } from '../../../lib/ids';
import type { Logger } from '../../../lib/logger';
import type { AccountingRole } from '../../../lib/task-queues';
import { platformTitle, type ConnectionStore, type PlatformEndpoint, type ReplacedGrant, type SealedTokens, type TokenSet } from '../connections';
import type { PlatformName } from '../platform';
import { ConsentRefused } from './errors';
import { quickBooksConsentUrl, quickBooksExchange } from './quickbooks';
import { revokeGrant } from './revoke';
import { consumeState, issueState } from './states';
import { xeroConsentUrl, xeroDeleteConnection, xeroExchange, xeroTenantsOf, type XeroTenant } from './xero';

/**
 * How long the merchant has to pick among several organisations. Shorter than Xero's 30-minute access token, so
 * the unpicked connections can still be deleted with it.
 */
export const PENDING_TTL_MS = 25 * 60_000;

export type ConsentOutcome =
  | { kind: 'connected'; merchantId: string; role: AccountingRole; platform: PlatformName; tenantId: string; tenantName?: string }
  | { kind: 'choose'; merchantId: string; role: AccountingRole; platform: PlatformName; consentId: string; tenants: { tenantId: string; name: string }[] };

export interface PendingTenants {
  consentId: string;
  platform: PlatformName;
  expiresAt: Date;
  tenants: { tenantId: string; name: string }[];
}

export interface ConsentDeps {
  db: Db;
  keyring: Keyring;
  connections: ConnectionStore;
  /** Where the platforms send the browser back: `${publicUrl}/oauth/{platform}/callback`. Read per request. */
  publicUrl: () => string;
  log: Logger;
  /** After a role (re)connects: wake the work waiting for it. */
  onConnected(merchantId: string): Promise<void>;
}

export const redirectUriFor = (publicUrl: string, platform: PlatformName) => `${publicUrl.replace(/\/$/, '')}/oauth/${platform}/callback`;

export class Consents {
  constructor(private readonly deps: ConsentDeps) {}

  private endpoint(platform: PlatformName) {
    return this.deps.connections.endpoints[platform];
  }

  private redirectUri(platform: PlatformName): string {
    return redirectUriFor(this.deps.publicUrl(), platform);
  }

  /** A consent URL for the merchant's browser; its state is good for one callback within 10 minutes. */
  async start(merchantId: string, role: AccountingRole, platform: PlatformName): Promise<string> {
    const endpoint = this.endpoint(platform);
    if (!endpoint.clientId || !endpoint.authorizeUrl) {
      throw new ConsentRefused('platform-not-configured', `Settle has no ${platformTitle(platform)} app configured`);
    }
    const state = await issueState(this.deps.db, { merchantId, role, platform });
    return platform === 'xero'
      ? xeroConsentUrl(endpoint, this.redirectUri(platform), state)
      : quickBooksConsentUrl(endpoint, this.redirectUri(platform), state);
  }

  /** The callback: `callbackUrl` is the whole URL the platform redirected to. */
  async complete(platform: PlatformName, callbackUrl: URL): Promise<ConsentOutcome> {
    const params = callbackUrl.searchParams;
    const state = params.get('state') ?? undefined;
    const owner = await consumeState(this.deps.db, state, platform);
    const error = params.get('error');
    if (error === 'access_denied') throw new ConsentRefused('access-denied', 'the consent was cancelled on the consent screen; nothing was connected');
    if (error) throw new ConsentRefused('consent-error', `the platform answered ${error.slice(0, 60)}; nothing was connected`);
    const code = params.get('code');
    if (!code) throw new ConsentRefused('code-refused', 'the callback carries no code');
    const endpoint = this.endpoint(platform);

    if (platform === 'quickbooks') {
      const realmId = params.get('realmId');
      if (!realmId || !/^\d{1,32}$/.test(realmId)) throw new ConsentRefused('no-tenant', 'the callback names no QuickBooks company (realmId)');
      const tokens = await quickBooksExchange(endpoint, this.redirectUri(platform), code);
      return this.orRevoke(platform, tokens, async () => {
        await this.store(owner.merchantId, owner.role, { platform, tenantId: realmId, tokens });
        return { kind: 'connected', ...owner, tenantId: realmId };
      });
    }

    const tokens = await xeroExchange(endpoint, this.redirectUri(platform), state!, callbackUrl.toString());
    return this.orRevoke(platform, tokens, async () => {
      const tenants = await xeroTenantsOf(endpoint, tokens.access_token);
      if (tenants.length === 0) throw new ConsentRefused('no-tenant', 'the consent opened no Xero organisation');
      if (tenants.length === 1) {
        const [tenant] = tenants;
        await this.store(owner.merchantId, owner.role, { platform, tenantId: tenant.tenantId, tenantName: tenant.name, tokens, platformConnectionId: tenant.connectionId });
        return { kind: 'connected', ...owner, tenantId: tenant.tenantId, tenantName: tenant.name };
      }
      const consentId = await this.keepPending(owner.merchantId, owner.role, tokens, tenants);
      return { kind: 'choose', ...owner, consentId, tenants: tenants.map(({ tenantId, name }) => ({ tenantId, name })) };
    });
  }

  /**
   * After the code is exchanged Settle holds a live grant: if keeping it fails (Xero's /connections down, Postgres
   * refusing the row, no organisation in it), the grant is revoked at the platform before the error goes on, so no
   * orphan grant stays live that nobody can use or end. `keep` stores (store, keepPending) as its last step only.
   */
  private async orRevoke<T>(platform: PlatformName, tokens: TokenSet, keep: () => Promise<T>): Promise<T> {
    try {
      return await keep();
    } catch (err) {
      await this.revoke({ platform, tenantId: '', platformConnectionId: null, tokens });
      throw err;
    }
  }

  /** Several organisations: the tokens wait sealed until the merchant picks one (a newer consent replaces them). */
  private async keepPending(merchantId: string, role: AccountingRole, tokens: TokenSet, tenants: XeroTenant[]): Promise<string> {
    const id = newId('cns');
    const older = await this.deps.db.transaction().execute(async (trx) => {
      const previous = await trx.deleteFrom('oauth_pending_consents').where('merchant_id', '=', merchantId).where('role', '=', role).returningAll().executeTakeFirst();
      await trx.insertInto('oauth_pending_consents').values({
        id, merchant_id: merchantId, role, platform: 'xero', tenants: JSON.stringify(tenants),
        tokens_sealed: seal(this.deps.keyring, JSON.stringify({ access_token: tokens.access_token, refresh_token: tokens.refresh_token }), id),
        expires_at: new Date(Date.now() + PENDING_TTL_MS),
      }).execute();
      return previous;
    });
    if (older) await this.revoke({ platform: 'xero', tenantId: '', platformConnectionId: null, tokens: JSON.parse(open(this.deps.keyring, older.tokens_sealed, older.id)) });
    return id;
  }

  async pending(merchantId: string, role: AccountingRole): Promise<PendingTenants | undefined> {
    const row = await this.deps.db.selectFrom('oauth_pending_consents').selectAll().where('merchant_id', '=', merchantId).where('role', '=', role)
      .where('expires_at', '>', new Date()).executeTakeFirst();
    return row && { consentId: row.id, platform: row.platform, expiresAt: row.expires_at, tenants: row.tenants.map(({ tenantId, name }) => ({ tenantId, name })) };
  }

  /** The merchant's pick: that organisation connects, the others of the consent are disconnected from the app. */
  async choose(merchantId: string, role: AccountingRole, consentId: string, tenantId: string): Promise<ConsentOutcome> {
    const row = await this.deps.db.selectFrom('oauth_pending_consents').selectAll().where('id', '=', consentId).where('merchant_id', '=', merchantId)
      .where('role', '=', role).where('expires_at', '>', new Date()).executeTakeFirst();
    if (!row) throw new ConsentRefused('no-pending-consent', 'there is no consent waiting for a choice (it expired, was chosen already, or is not this merchant\'s)');
    const picked = row.tenants.find((t) => t.tenantId === tenantId);
    if (!picked) throw new ConsentRefused('tenant-not-in-consent', 'that organisation is not one this consent opened');
    // Taking the row is the gate: of two picks at once, one wins.
    const taken = await this.deps.db.deleteFrom('oauth_pending_consents').where('id', '=', row.id).returningAll().executeTakeFirst();
    if (!taken) throw new ConsentRefused('no-pending-consent', 'this consent was chosen already');
    const tokens = JSON.parse(open(this.deps.keyring, taken.tokens_sealed, taken.id)) as SealedTokens;
    const endpoint = this.endpoint('xero');
    for (const other of taken.tenants.filter((t) => t.tenantId !== tenantId)) {
      await xeroDeleteConnection(endpoint, tokens.access_token, other.connectionId).catch((err: Error) =>
        this.deps.log.warn({ merchantId, role, err: err.message }, 'could not disconnect an unpicked Xero organisation'));
    }
    await this.store(merchantId, role, {
      platform: 'xero', tenantId, tenantName: picked.name, platformConnectionId: picked.connectionId,
      // The pending tokens' lifetime: Xero's 30 minutes from the consent, at most.
      tokens: { ...tokens, expires_in: Math.max(1, Math.floor((taken.created_at.getTime() + 30 * 60_000 - Date.now()) / 1000)) },
    });
    return { kind: 'connected', merchantId, role, platform: 'xero', tenantId, tenantName: picked.name };
  }

  /**
   * An administrator imports a grant made outside Settle (migrating an existing integration): stored like a
   * consent's, replacing (and revoking) a live one. Tokens never pass through a merchant's hands.
   */
  async importGrant(merchantId: string, role: AccountingRole, grant: { platform: PlatformName; tenantId: string; tokens: TokenSet; platformConnectionId?: string }): Promise<void> {
    await this.store(merchantId, role, grant);
  }

  /** The merchant disconnects a role: the platform lets go of Settle, the sealed tokens are erased. */
  async disconnect(merchantId: string, role: AccountingRole): Promise<boolean> {
    const row = await this.deps.db.selectFrom('accounting_connections').selectAll().where('merchant_id', '=', merchantId).where('role', '=', role).executeTakeFirst();
    if (!row || row.status === 'disconnected') return false;
    // A fresh access token first (Xero's DELETE needs one); a grant that died already has nothing left to end.
    if (row.status === 'connected' && row.platform === 'xero') await this.deps.connections.accessToken(row).catch(() => undefined);
    const ended = await this.deps.connections.disconnect(merchantId, role);
    if (ended) await this.endAtPlatform(ended);
    return true;
  }

  private async endAtPlatform(grant: ReplacedGrant): Promise<void> {
    const endpoint = this.endpoint(grant.platform);
    try {
      if (grant.platform === 'xero' && grant.platformConnectionId) await xeroDeleteConnection(endpoint, grant.tokens.access_token, grant.platformConnectionId);
      else await this.revoke(grant);
    } catch (err) {
      this.deps.log.warn({ platform: grant.platform, err: (err as Error).message }, 'the platform did not confirm the disconnection');
    }
  }

  private async store(merchantId: string, role: AccountingRole, grant: { platform: PlatformName; tenantId: string; tenantName?: string; tokens: TokenSet; platformConnectionId?: string }) {
    const { replaced } = await this.deps.connections.connect(merchantId, role, grant);
    // Xero keeps one connection per user and organisation: if the new grant carries the same connection, revoking
    // the old token would end the new grant's access too. Only a grant on another connection is revoked.
    if (replaced && !(replaced.platform === grant.platform && replaced.platformConnectionId && replaced.platformConnectionId === grant.platformConnectionId)) {
      await this.revoke(replaced);
    }
    await this.deps.onConnected(merchantId).catch((err: Error) => this.deps.log.warn({ merchantId, err: err.message }, 'could not wake the work waiting for the connection'));
  }

  private async revoke(grant: ReplacedGrant): Promise<void> {
    try {
      await revokeGrant(this.endpoint(grant.platform), grant.platform, grant.tokens);
    } catch (err) {
      this.deps.log.warn({ platform: grant.platform, err: (err as Error).message }, 'could not revoke a replaced grant');
    }
  }
}

/**
 * The upkeep: a consent that opened several organisations and was never picked from holds a live grant at Xero.
 * Once its pick has expired it is taken out of Postgres and its grant revoked. Answers how many were ended.
 */
export async function endExpiredPendingConsents(
  deps: Pick<ConsentDeps, 'db' | 'keyring' | 'log'> & { endpoints: Record<PlatformName, PlatformEndpoint> },
  now = new Date(),
): Promise<number> {
  const expired = await deps.db.deleteFrom('oauth_pending_consents').where('expires_at', '<=', now).returningAll().execute();
  for (const row of expired) {
    // Xero keeps one connection per user and organisation: if a live connection of the merchant uses one of these
    // (it consented again and connected), revoking would end that one too. Its unpicked organisations stay then.
    const live = await deps.db.selectFrom('accounting_connections').select('id').where('merchant_id', '=', row.merchant_id).where('status', '=', 'connected')
      .where('platform_connection_id', 'in', row.tenants.map((t) => t.connectionId)).executeTakeFirst();
    if (live) continue;
    const tokens = JSON.parse(open(deps.keyring, row.tokens_sealed, row.id)) as SealedTokens;
    await revokeGrant(deps.endpoints[row.platform], row.platform, tokens).catch((err: Error) =>
      deps.log.warn({ merchantId: row.merchant_id, platform: row.platform, err: err.message }, 'could not revoke the grant of an expired consent'));
  }
  return expired.length;
}
