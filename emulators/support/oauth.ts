// OAuth 2.0 as Xero and Intuit run it, for the emulators: short-lived access tokens, and refresh tokens
// that rotate on use (a refresh token works once; using it again answers invalid_grant, which is how a
// lost refresh race shows up on the real platforms).
import { randomBytes } from 'node:crypto';
import type { Clock } from './limits';
import type { EmulatorRequest, EmulatorResponse } from './server';

export interface TokenSet {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: 'Bearer';
}

interface Grant {
  /** The tenant (Xero) or realm (QuickBooks) the grant opens. */
  tenantId: string;
  /**
   * The app the grant was given to. Platforms count rate limits per app and tenant, which is why separate
   * connections (apps) per role give a merchant more capacity.
   */
  clientId: string;
  refreshToken: string;
  revoked: boolean;
}

export class OAuthEmulator {
  private readonly grants = new Map<string, Grant>(); // by refresh token
  private readonly accessTokens = new Map<string, { grant: Grant; expiresAt: number }>();
  refreshCount = 0;

  constructor(
    private readonly clock: Clock = Date.now,
    readonly accessTokenSeconds = 1800,
  ) {}

  /** A new grant, as after the merchant clicks "connect" and consents. */
  issue(tenantId: string, clientId = 'settle'): TokenSet {
    const grant: Grant = { tenantId, clientId, refreshToken: '', revoked: false };
    return this.mint(grant);
  }

  private mint(grant: Grant): TokenSet {
    grant.refreshToken = `rt_${randomBytes(16).toString('hex')}`;
    this.grants.set(grant.refreshToken, grant);
    const access = `at_${randomBytes(16).toString('hex')}`;
    this.accessTokens.set(access, { grant, expiresAt: this.clock() + this.accessTokenSeconds * 1000 });
    return { access_token: access, refresh_token: grant.refreshToken, expires_in: this.accessTokenSeconds, token_type: 'Bearer' };
  }

  /** Ends a grant (the merchant disconnected the app in the platform): its tokens stop working. */
  revokeTenant(tenantId: string): void {
    for (const grant of this.grants.values()) if (grant.tenantId === tenantId) grant.revoked = true;
  }

  /** The tenant an `Authorization: Bearer` header opens, or why not. */
  authenticate(req: EmulatorRequest): { tenantId: string; clientId: string } | { error: 'missing' | 'invalid' | 'expired' } {
    const match = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ''));
    if (!match) return { error: 'missing' };
    const token = this.accessTokens.get(match[1]);
    if (!token || token.grant.revoked) return { error: 'invalid' };
    if (token.expiresAt <= this.clock()) return { error: 'expired' };
    return { tenantId: token.grant.tenantId, clientId: token.grant.clientId };
  }

  /** POST token endpoint: grant_type=refresh_token (form-encoded). */
  tokenEndpoint(req: EmulatorRequest): EmulatorResponse {
    const form = (req.body ?? {}) as Record<string, string>;
    if (form.grant_type !== 'refresh_token' || !form.refresh_token) {
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    }
    const grant = this.grants.get(form.refresh_token);
    if (!grant || grant.revoked || grant.refreshToken !== form.refresh_token) {
      return { status: 400, body: { error: 'invalid_grant' } };
    }
    this.grants.delete(form.refresh_token);
    this.refreshCount++;
    return { status: 200, body: this.mint(grant) };
  }
}
