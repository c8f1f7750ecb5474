// Xero's identity side with xero-node: one XeroClient per consent attempt (xero-node keeps the state in its
// config). xero-node discovers identity.xero.com itself; Settle instead gives it an OpenID client built from the
// configured endpoints (its public `openIdClient`, the override point xero-node checks before discovering), so a
// consent URL costs no discovery call and sandbox mode points it at the emulator. /connections is hard-coded to
// api.xero.com in xero-node (and it cannot filter by authEventId), so those two calls are plain HTTP here.
import { createRequire } from 'node:module';
import type { Issuer as IssuerClass } from 'openid-client';
import { XeroClient } from 'xero-node';
import type { PlatformEndpoint, TokenSet } from '../connections';
import { ConsentRefused } from './errors';

// The openid-client xero-node itself uses (its dependency, not Settle's): the client must be of that copy.
const openid = createRequire(require.resolve('xero-node'))('openid-client') as typeof import('openid-client');

const XERO_ISSUER = 'https://identity.xero.com';
const HTTP_TIMEOUT_MS = 15_000;

export interface XeroTenant {
  /** The connection id: what DELETE /connections/{id} takes. */
  connectionId: string;
  tenantId: string;
  name: string;
}

function required(endpoint: PlatformEndpoint, name: 'authorizeUrl' | 'connectionsUrl'): string {
  const value = endpoint[name];
  if (!value || !endpoint.clientId) throw new ConsentRefused('platform-not-configured', 'Settle has no Xero app configured (XERO_CLIENT_ID)');
  return value;
}

/** A fresh client for one consent attempt, its OpenID client built from Settle's configuration. */
export function xeroConsentClient(endpoint: PlatformEndpoint, redirectUri: string, state: string): XeroClient {
  const issuer: IssuerClass = new openid.Issuer({
    issuer: XERO_ISSUER,
    authorization_endpoint: required(endpoint, 'authorizeUrl'),
    token_endpoint: endpoint.tokenUrl,
    revocation_endpoint: endpoint.revocationUrl,
    // Only used with `openid` among the scopes (xero-node then validates the id_token against Xero's keys).
    jwks_uri: `${XERO_ISSUER}/.well-known/openid-configuration/jwks`,
  });
  const xero = new XeroClient({ clientId: endpoint.clientId, clientSecret: endpoint.clientSecret, redirectUris: [redirectUri], scopes: endpoint.scopes ?? [], state });
  const client = new issuer.Client({ client_id: endpoint.clientId, client_secret: endpoint.clientSecret, redirect_uris: [redirectUri] });
  client[openid.custom.clock_tolerance] = 5;
  client[openid.custom.http_options] = (_url, options) => ({ ...options, timeout: HTTP_TIMEOUT_MS });
  xero.openIdClient = client;
  return xero;
}

export async function xeroConsentUrl(endpoint: PlatformEndpoint, redirectUri: string, state: string): Promise<string> {
  return xeroConsentClient(endpoint, redirectUri, state).buildConsentUrl();
}

/** The code of the callback exchanged for tokens (xero-node's apiCallback checks the state once more). */
export async function xeroExchange(endpoint: PlatformEndpoint, redirectUri: string, state: string, callbackUrl: string): Promise<TokenSet> {
  const xero = xeroConsentClient(endpoint, redirectUri, state);
  let tokens;
  try {
    tokens = await xero.apiCallback(callbackUrl);
  } catch (err) {
    const error = (err as { error?: string }).error;
    if (error === 'invalid_grant' || error === 'invalid_client' || error === 'unauthorized_client') {
      throw new ConsentRefused('code-refused', `Xero refused the code (${error})`);
    }
    throw err;
  }
  if (!tokens.access_token || !tokens.refresh_token || !tokens.expires_in) {
    throw new ConsentRefused('code-refused', 'Xero answered without a refresh token (is offline_access among the scopes?)');
  }
  return { access_token: tokens.access_token, refresh_token: tokens.refresh_token, expires_in: tokens.expires_in };
}

/** The consent's id, from the access token's claims (Xero's access tokens are JWTs): which tenants are this consent's. */
export function authEventIdOf(accessToken: string): string {
  try {
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'));
    if (typeof claims.authentication_event_id === 'string' && claims.authentication_event_id) return claims.authentication_event_id;
  } catch {
    // not a JWT: below
  }
  throw new Error('the Xero access token names no authentication_event_id');
}

/** The tenants of this consent only: GET /connections?authEventId= (never the ones other consents opened). */
export async function xeroTenantsOf(endpoint: PlatformEndpoint, accessToken: string): Promise<XeroTenant[]> {
  const url = new URL(required(endpoint, 'connectionsUrl'));
  url.searchParams.set('authEventId', authEventIdOf(accessToken));
  const response = await fetch(url, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' }, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`Xero GET /connections answered ${response.status}`);
  const body = (await response.json()) as { id: string; tenantId: string; tenantName?: string; tenantType?: string }[];
  return body.filter((c) => c.tenantType === undefined || c.tenantType === 'ORGANISATION')
    .map((c) => ({ connectionId: c.id, tenantId: c.tenantId, name: c.tenantName ?? c.tenantId }));
}

/** DELETE /connections/{connectionId}: the app leaves that organisation (no tenant slot billed). 404 counts as done. */
export async function xeroDeleteConnection(endpoint: PlatformEndpoint, accessToken: string, connectionId: string): Promise<void> {
  const url = `${required(endpoint, 'connectionsUrl').replace(/\/$/, '')}/${encodeURIComponent(connectionId)}`;
  const response = await fetch(url, { method: 'DELETE', headers: { authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  if (!response.ok && response.status !== 404) throw new Error(`Xero DELETE /connections answered ${response.status}`);
}

/** Revokes a refresh token (xero-node's revokeToken, through the configured revocation endpoint). */
export async function xeroRevoke(endpoint: PlatformEndpoint, tokens: { access_token: string; refresh_token: string }): Promise<void> {
  const xero = xeroConsentClient(endpoint, 'http://localhost/unused', '');
  xero.setTokenSet({ access_token: tokens.access_token, refresh_token: tokens.refresh_token });
  await xero.revokeToken();
}
