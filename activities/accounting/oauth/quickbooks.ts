// Intuit's identity side. Settle's QuickBooks SDK, node-quickbooks, revokes (revokeAccess, through its static
// REVOKE_URL: the override point for sandbox mode) but cannot exchange a code; Intuit's own intuit-oauth can, and
// is not a dependency yet. Until it is, the code exchange is the one plain form POST intuit-oauth's createToken
// makes (same parameters, Basic client auth, and the header of its includeRefreshTokenHardExpiresIn option), in
// this file alone, so swapping in `new OAuthClient(...).createToken(url)` later touches nothing else.
import QuickBooks from 'node-quickbooks';
import type { PlatformEndpoint, TokenSet } from '../connections';
import { ConsentRefused } from './errors';

const HTTP_TIMEOUT_MS = 15_000;

function configured(endpoint: PlatformEndpoint): string {
  if (!endpoint.authorizeUrl || !endpoint.clientId) {
    throw new ConsentRefused('platform-not-configured', 'Settle has no QuickBooks app configured (QUICKBOOKS_CLIENT_ID)');
  }
  return endpoint.authorizeUrl;
}

/** What intuit-oauth's authorizeUri({scope, state}) builds. */
export function quickBooksConsentUrl(endpoint: PlatformEndpoint, redirectUri: string, state: string): string {
  const url = new URL(configured(endpoint));
  url.searchParams.set('client_id', endpoint.clientId);
  url.searchParams.set('scope', (endpoint.scopes ?? []).join(' '));
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('state', state);
  return url.toString();
}

/** The callback's code exchanged for tokens (what intuit-oauth's createToken(callbackUrl) does). */
export async function quickBooksExchange(endpoint: PlatformEndpoint, redirectUri: string, code: string): Promise<TokenSet> {
  configured(endpoint);
  const response = await fetch(endpoint.tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      authorization: `Basic ${Buffer.from(`${endpoint.clientId}:${endpoint.clientSecret}`).toString('base64')}`,
      'x-include-refresh-token-hard-expires-in': 'true',
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  const body = (await response.json().catch(() => ({}))) as Partial<TokenSet> & { error?: string };
  if (response.status === 400 || response.status === 401) throw new ConsentRefused('code-refused', `QuickBooks refused the code (${body.error ?? response.status})`);
  if (!response.ok || !body.access_token || !body.refresh_token || !body.expires_in) throw new Error(`QuickBooks token endpoint answered ${response.status}`);
  return {
    access_token: body.access_token, refresh_token: body.refresh_token, expires_in: body.expires_in,
    x_refresh_token_expires_in: body.x_refresh_token_expires_in, x_refresh_token_hard_expires_in: body.x_refresh_token_hard_expires_in,
  };
}

/** Revokes the grant with node-quickbooks' revokeAccess (the refresh token ends the whole grant). */
export async function quickBooksRevoke(endpoint: PlatformEndpoint, tokens: { access_token: string; refresh_token: string }): Promise<void> {
  if (endpoint.revocationUrl) (QuickBooks as unknown as { REVOKE_URL: string }).REVOKE_URL = endpoint.revocationUrl;
  const qbo = new QuickBooks(endpoint.clientId, endpoint.clientSecret, tokens.access_token, false, '', false, false, '75', '2.0', tokens.refresh_token) as QuickBooks & {
    revokeAccess(useRefresh: boolean, cb: (err: unknown) => void): void;
  };
  await new Promise<void>((resolve, reject) => qbo.revokeAccess(true, (err) => (err ? reject(err) : resolve())));
}
