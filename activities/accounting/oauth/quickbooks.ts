// Intuit's identity side: the code exchange with Intuit's own intuit-oauth, the revocation with node-quickbooks
// (revokeAccess, through its static REVOKE_URL: the override point for sandbox mode).
import OAuthClient from 'intuit-oauth';
import QuickBooks from 'node-quickbooks';
import type { PlatformEndpoint, TokenSet } from '../connections';
import { ConsentRefused } from './errors';

const INTUIT_REVOKE_URL = 'https://developer.api.intuit.com/v2/oauth2/tokens/revoke';
const INTUIT_USERINFO_URL = 'https://accounts.platform.intuit.com/v1/openid_connect/userinfo';

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

/**
 * The callback's code exchanged for tokens with Intuit's own intuit-oauth (createToken, asking for the refresh
 * token's five-year hard expiry). Its endpoints are static for the process: set from the configured ones, so sandbox
 * mode and tests reach the emulator through the SDK's supported override (setAuthorizeURLs).
 */
export async function quickBooksExchange(endpoint: PlatformEndpoint, redirectUri: string, code: string): Promise<TokenSet> {
  const authorizeUrl = configured(endpoint);
  const client = new OAuthClient({ clientId: endpoint.clientId, clientSecret: endpoint.clientSecret ?? '', environment: 'production', redirectUri,
    includeRefreshTokenHardExpiresIn: true });
  client.setAuthorizeURLs({ authorizeEndpoint: authorizeUrl, tokenEndpoint: endpoint.tokenUrl,
    revokeEndpoint: endpoint.revocationUrl ?? INTUIT_REVOKE_URL, userInfoEndpoint: INTUIT_USERINFO_URL });
  let body: Partial<TokenSet> & { error?: string };
  try {
    body = (await client.createToken(`${redirectUri}?${new URLSearchParams({ code })}`)).getJson() as typeof body;
  } catch (err) {
    const status = (err as { response?: { status?: number }; authResponse?: { response?: { status?: number } } }).response?.status
      ?? (err as { authResponse?: { response?: { status?: number } } }).authResponse?.response?.status;
    if (status === 400 || status === 401) throw new ConsentRefused('code-refused', `QuickBooks refused the code (${status})`);
    throw new Error(`QuickBooks token endpoint failed: ${status ?? (err as Error).message}`);
  }
  if (!body.access_token || !body.refresh_token || !body.expires_in) throw new Error('QuickBooks token endpoint answered without tokens');
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
