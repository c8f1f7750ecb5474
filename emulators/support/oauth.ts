// OAuth 2.0 as Xero and Intuit run it, for the emulators: the authorization-code grant (codes single-use, bound
// to the client and redirect URI), short-lived access tokens, refresh tokens that rotate on use (a refresh token
// works once; using it again answers invalid_grant, which is how a lost refresh race shows up on the real
// platforms), and revocation. The consent screen that hands out codes is consent.ts.
//
// A grant is one consent: the tenants (Xero organisations, a QuickBooks realm) it opens, each through a
// connection of its own (Xero's connection id, what DELETE /connections/{id} takes). Unlike Xero, which keeps
// connections per user, the emulator keeps them per grant: revoking a grant ends its connections only.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from './limits';
import type { EmulatorRequest, EmulatorResponse } from './server';

export interface TokenSet {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: 'Bearer';
  /** QuickBooks only: seconds the refresh token stays valid (Intuit: 100 days, rolling). */
  x_refresh_token_expires_in?: number;
  /** QuickBooks only, when asked with x-include-refresh-token-hard-expires-in: the five-year hard expiry. */
  x_refresh_token_hard_expires_in?: number;
}

export interface Connection {
  /** The connection id (Xero: not the tenant id). */
  id: string;
  tenantId: string;
  createdAt: number;
}

interface Grant {
  /**
   * The app the grant was given to. Platforms count rate limits per app and tenant, which is why separate
   * connections (apps) per role give a merchant more capacity.
   */
  clientId: string;
  /** One per consent; Xero's GET /connections?authEventId= finds the tenants of one consent by it. */
  authEventId: string;
  connections: Connection[];
  /** Tenants whose connection was deleted: their calls answer 403 AuthenticationUnsuccessful (as Xero does). */
  disconnected: Set<string>;
  refreshToken: string;
  revoked: boolean;
  scope: string;
  createdAt: number;
}

interface AuthorizationCode {
  clientId: string;
  redirectUri: string;
  tenantIds: string[];
  scope: string;
  expiresAt: number;
  used: boolean;
}

export interface OAuthOptions {
  /** Lifetime of access tokens (Xero 1800 s, Intuit 3600 s). */
  accessTokenSeconds?: number;
  /** QuickBooks answers the refresh token's lifetimes (x_refresh_token_expires_in and the hard expiry). */
  intuitRefreshExpiry?: boolean;
  /**
   * Xero's access tokens are JWTs whose claims name the consent (authentication_event_id): apps read it to ask
   * GET /connections?authEventId= for the tenants of that consent. The emulator's are JWT-shaped (unsigned; the
   * third part is the opaque at_… token, so leak checks still recognise it).
   */
  jwtAccessTokens?: boolean;
}

/** Intuit: a refresh token lives 100 days from its last use. */
export const INTUIT_REFRESH_SECONDS = 100 * 86_400;
/** Intuit: grants from Oct 2023 on end five years after they were made, whatever the refreshes. */
export const INTUIT_HARD_EXPIRY_SECONDS = 5 * 365 * 86_400;
/** How long a code from the consent screen can be exchanged (Xero: 5 minutes). */
const CODE_SECONDS = 300;

export type OAuthIdentity = { tenantId: string; tenantIds: string[]; disconnected: string[]; clientId: string; authEventId: string };

export class OAuthEmulator {
  private readonly grants = new Map<string, Grant>(); // by refresh token
  private readonly accessTokens = new Map<string, { grant: Grant; expiresAt: number }>();
  private readonly codes = new Map<string, AuthorizationCode>();
  /** Registered apps (client id → secret). While none is registered, any client is accepted. */
  readonly clients = new Map<string, string>();
  readonly accessTokenSeconds: number;
  refreshCount = 0;
  /** Token requests for authorization codes (tests count exchanges). */
  codeExchanges = 0;
  revocations = 0;

  constructor(
    private readonly clock: Clock = Date.now,
    accessTokenSeconds?: number,
    private readonly options: OAuthOptions = {},
  ) {
    this.accessTokenSeconds = accessTokenSeconds ?? options.accessTokenSeconds ?? 1800;
  }

  /** A new grant, as after the merchant clicks "connect" and consents. */
  issue(tenantId: string, clientId = 'settle'): TokenSet {
    return this.grant(clientId, [tenantId], 'offline_access').tokens;
  }

  private grant(clientId: string, tenantIds: string[], scope: string, hardExpiry = false): { grant: Grant; tokens: TokenSet } {
    const now = this.clock();
    const grant: Grant = {
      clientId, authEventId: randomUUID(), refreshToken: '', revoked: false, scope, createdAt: now, disconnected: new Set(),
      connections: tenantIds.map((tenantId) => ({ id: randomUUID(), tenantId, createdAt: now })),
    };
    return { grant, tokens: this.mint(grant, hardExpiry) };
  }

  private mint(grant: Grant, hardExpiry = false): TokenSet {
    grant.refreshToken = `rt_${randomBytes(16).toString('hex')}`;
    this.grants.set(grant.refreshToken, grant);
    const opaque = `at_${randomBytes(16).toString('hex')}`;
    const access = this.options.jwtAccessTokens ? jwtShaped(grant, opaque, this.clock(), this.accessTokenSeconds) : opaque;
    this.accessTokens.set(access, { grant, expiresAt: this.clock() + this.accessTokenSeconds * 1000 });
    const tokens: TokenSet = { access_token: access, refresh_token: grant.refreshToken, expires_in: this.accessTokenSeconds, token_type: 'Bearer' };
    if (this.options.intuitRefreshExpiry) {
      tokens.x_refresh_token_expires_in = INTUIT_REFRESH_SECONDS;
      if (hardExpiry) tokens.x_refresh_token_hard_expires_in = Math.max(0, Math.floor((grant.createdAt + INTUIT_HARD_EXPIRY_SECONDS * 1000 - this.clock()) / 1000));
    }
    return tokens;
  }

  /** Ends a grant (the merchant disconnected the app in the platform): its tokens stop working. */
  revokeTenant(tenantId: string): void {
    for (const grant of this.grants.values()) if (grant.connections.some((c) => c.tenantId === tenantId)) grant.revoked = true;
  }

  /** The consent screen's "Allow": a code for these tenants, to be exchanged at the token endpoint. */
  authorize(request: { clientId: string; redirectUri: string; scope: string; tenantIds: string[] }): string {
    const code = `code_${randomBytes(16).toString('hex')}`;
    this.codes.set(code, { ...request, expiresAt: this.clock() + CODE_SECONDS * 1000, used: false });
    return code;
  }

  private grantOfBearer(req: EmulatorRequest): { grant: Grant; expiresAt: number } | { error: 'missing' | 'invalid' | 'expired' } {
    const match = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ''));
    if (!match) return { error: 'missing' };
    const token = this.accessTokens.get(match[1]);
    if (!token || token.grant.revoked) return { error: 'invalid' };
    if (token.expiresAt <= this.clock()) return { error: 'expired' };
    return token;
  }

  /** Who an `Authorization: Bearer` header is, or why not. `tenantId` is the grant's first tenant still connected. */
  authenticate(req: EmulatorRequest): OAuthIdentity | { error: 'missing' | 'invalid' | 'expired' } {
    const found = this.grantOfBearer(req);
    if ('error' in found) return found;
    const { grant } = found;
    const tenantIds = grant.connections.map((c) => c.tenantId);
    return { tenantId: tenantIds[0] ?? '', tenantIds, disconnected: [...grant.disconnected], clientId: grant.clientId, authEventId: grant.authEventId };
  }

  /** GET /connections (Xero): the tenants the bearer's grant opens, optionally of one consent only. */
  connectionsEndpoint(req: EmulatorRequest, tenantName: (tenantId: string) => string | undefined): EmulatorResponse | { error: string } {
    const found = this.grantOfBearer(req);
    if ('error' in found) return { error: found.error };
    const authEventId = req.query.get('authEventId');
    const { grant } = found;
    if (authEventId && authEventId !== grant.authEventId) return { status: 200, body: [] };
    const body = grant.connections.flatMap((c) => {
      const name = tenantName(c.tenantId);
      if (name === undefined) return [];
      const at = new Date(c.createdAt).toISOString();
      return [{ id: c.id, authEventId: grant.authEventId, tenantId: c.tenantId, tenantType: 'ORGANISATION', tenantName: name, createdDateUtc: at, updatedDateUtc: at }];
    });
    return { status: 200, body };
  }

  /** DELETE /connections/{id} (Xero): ends one tenant's connection; the token still opens the others. */
  deleteConnection(req: EmulatorRequest, connectionId: string): EmulatorResponse | { error: string } {
    const found = this.grantOfBearer(req);
    if ('error' in found) return { error: found.error };
    const { grant } = found;
    const index = grant.connections.findIndex((c) => c.id === connectionId);
    // Xero answers 403 for an id that is not one of the caller's connections (a tenant id, say).
    if (index < 0) return { status: 403, body: { Type: null, Title: 'Forbidden', Status: 403, Detail: 'AuthorizationUnsuccessful', Extensions: {} } };
    grant.disconnected.add(grant.connections[index].tenantId);
    grant.connections.splice(index, 1);
    return { status: 204 };
  }

  /** The client of a token or revocation request: Basic auth, or client_id/client_secret in the form. */
  private client(req: EmulatorRequest, form: Record<string, string>): string | undefined {
    const basic = /^Basic (\S+)$/.exec(String(req.headers.authorization ?? ''));
    const [id, secret] = basic ? Buffer.from(basic[1], 'base64').toString('utf8').split(':') : [form.client_id, form.client_secret];
    if (!id) return undefined;
    if (this.clients.size > 0 && this.clients.get(id) !== secret) return undefined;
    return id;
  }

  /** POST token endpoint (form-encoded): grant_type=authorization_code or refresh_token. */
  tokenEndpoint(req: EmulatorRequest): EmulatorResponse {
    const form = formOf(req);
    if (form.grant_type === 'authorization_code') return this.exchangeCode(req, form);
    if (form.grant_type !== 'refresh_token' || !form.refresh_token) {
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    }
    const grant = this.grants.get(form.refresh_token);
    if (!grant || grant.revoked || grant.refreshToken !== form.refresh_token) {
      return { status: 400, body: { error: 'invalid_grant' } };
    }
    this.grants.delete(form.refresh_token);
    this.refreshCount++;
    return { status: 200, body: this.mint(grant, wantsHardExpiry(req)) };
  }

  private exchangeCode(req: EmulatorRequest, form: Record<string, string>): EmulatorResponse {
    this.codeExchanges++;
    const clientId = this.client(req, form);
    if (!clientId) return { status: 401, body: { error: 'invalid_client' } };
    const code = this.codes.get(form.code ?? '');
    if (!code || code.used || code.expiresAt <= this.clock() || code.clientId !== clientId || code.redirectUri !== form.redirect_uri) {
      return { status: 400, body: { error: 'invalid_grant' } };
    }
    code.used = true;
    const { grant, tokens } = this.grant(clientId, code.tenantIds, code.scope, wantsHardExpiry(req));
    return { status: 200, body: { ...tokens, scope: grant.scope } };
  }

  /**
   * POST revocation endpoint (RFC 7009; Xero form-encoded, Intuit JSON): a refresh or access token ends its whole
   * grant. An unknown token is answered 200 too, as the RFC asks.
   */
  revocationEndpoint(req: EmulatorRequest): EmulatorResponse {
    const form = formOf(req);
    if (!this.client(req, form)) return { status: 401, body: { error: 'invalid_client' } };
    const grant = this.grants.get(form.token ?? '') ?? this.accessTokens.get(form.token ?? '')?.grant;
    if (grant) {
      grant.revoked = true;
      this.revocations++;
    }
    return { status: 200 };
  }

  /** Grants that are still live for a tenant (tests check that a replaced grant was revoked). */
  liveGrants(tenantId: string): number {
    return [...new Set(this.grants.values())].filter((g) => !g.revoked && g.connections.some((c) => c.tenantId === tenantId)).length;
  }
}

function jwtShaped(grant: Grant, opaque: string, now: number, seconds: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const at = Math.floor(now / 1000);
  const claims = { nbf: at, exp: at + seconds, client_id: grant.clientId, authentication_event_id: grant.authEventId, scope: grant.scope.split(' ').filter(Boolean) };
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.${opaque}`;
}

function formOf(req: EmulatorRequest): Record<string, string> {
  return req.body && typeof req.body === 'object' ? (req.body as Record<string, string>) : {};
}

function wantsHardExpiry(req: EmulatorRequest): boolean {
  return String(req.headers['x-include-refresh-token-hard-expires-in'] ?? '').toLowerCase() === 'true';
}
