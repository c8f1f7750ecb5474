// With real client ids configured (and no URL overrides), the consent URLs point at Xero's and Intuit's own
// authorize endpoints with the default scopes, the client id, the state and Settle's callback as redirect URI.
// Building them makes no network call (xero-node is given its OpenID client; nothing is discovered).
import { platformEndpoints } from '../../activities/accounting/services';
import { redirectUriFor } from '../../activities/accounting/oauth/consents';
import { quickBooksConsentUrl } from '../../activities/accounting/oauth/quickbooks';
import { xeroConsentUrl } from '../../activities/accounting/oauth/xero';
import { accountingEnv, loadConfig } from '../../lib/config';

const config = loadConfig(accountingEnv, {
  XERO_CLIENT_ID: '0F1E2D3C4B5A69788796A5B4C3D2E1F0', XERO_CLIENT_SECRET: 'xero-secret',
  QUICKBOOKS_CLIENT_ID: 'ABq1w2e3r4t5y6u7i8o9p0', QUICKBOOKS_CLIENT_SECRET: 'intuit-secret',
});
const endpoints = platformEndpoints(config);
const publicUrl = 'https://settle.example.com';

it("points Xero's consent at login.xero.com with the granular scopes", async () => {
  const url = new URL(await xeroConsentUrl(endpoints.xero, redirectUriFor(publicUrl, 'xero'), 'state-123'));
  expect(`${url.origin}${url.pathname}`).toBe('https://login.xero.com/identity/connect/authorize');
  expect(Object.fromEntries(url.searchParams)).toEqual({
    client_id: '0F1E2D3C4B5A69788796A5B4C3D2E1F0',
    redirect_uri: 'https://settle.example.com/oauth/xero/callback',
    response_type: 'code',
    scope: 'offline_access accounting.invoices accounting.payments accounting.banktransactions accounting.contacts accounting.settings.read',
    state: 'state-123',
  });
  expect(url.searchParams.get('scope')).not.toContain('accounting.transactions');
});

it("points QuickBooks' consent at appcenter.intuit.com with the accounting scope and the callback", () => {
  const url = new URL(quickBooksConsentUrl(endpoints.quickbooks, redirectUriFor(publicUrl, 'quickbooks'), 'state-456'));
  expect(`${url.origin}${url.pathname}`).toBe('https://appcenter.intuit.com/connect/oauth2');
  expect(Object.fromEntries(url.searchParams)).toEqual({
    client_id: 'ABq1w2e3r4t5y6u7i8o9p0',
    redirect_uri: 'https://settle.example.com/oauth/quickbooks/callback',
    response_type: 'code',
    scope: 'com.intuit.quickbooks.accounting',
    state: 'state-456',
  });
});

it('takes the scopes from configuration', () => {
  const custom = platformEndpoints(loadConfig(accountingEnv, { XERO_SCOPES: 'offline_access openid profile email accounting.invoices' }));
  expect(custom.xero.scopes).toEqual(['offline_access', 'openid', 'profile', 'email', 'accounting.invoices']);
  expect(custom.xero.tokenUrl).toBe('https://identity.xero.com/connect/token');
  expect(custom.quickbooks.revocationUrl).toBe('https://developer.api.intuit.com/v2/oauth2/tokens/revoke');
});
