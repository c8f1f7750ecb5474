// Emulators with their identity side wired to a test stack, and the merchant's side of a consent: ask Settle for
// the consent URL, decide on the emulator's consent screen (as a person clicking would), and follow the redirect
// back to Settle's callback.
import { randomBytes } from 'node:crypto';
import type { PlatformEndpoints } from '../../activities/accounting/connections';
import { emulatorEndpoints, xeroEmulatorEndpoint } from '../../emulators/sandbox';
import { decideConsent } from '../../emulators/support/consent';
import type { QuickBooksEmulator } from '../../emulators/quickbooks';
import type { XeroEmulator } from '../../emulators/xero';
import { httpClient } from './http';
import type { TestStack } from './stack';
import type { XeroFixture } from './xero';

export const XERO_APP = { clientId: 'settle-xero-app', clientSecret: 'xero-app-secret' };
export const QUICKBOOKS_APP = { clientId: 'settle-qbo-app', clientSecret: 'qbo-app-secret' };

/** Settle's endpoints for both emulators, as configuration would give them (and the apps registered there). */
export function consentEndpoints(xero: XeroEmulator, quickbooks: QuickBooksEmulator): PlatformEndpoints {
  xero.oauth.clients.set(XERO_APP.clientId, XERO_APP.clientSecret);
  quickbooks.oauth.clients.set(QUICKBOOKS_APP.clientId, QUICKBOOKS_APP.clientSecret);
  return emulatorEndpoints(xero, quickbooks, { xero: XERO_APP, quickbooks: QUICKBOOKS_APP });
}

/** Settle's app registered at a Xero emulator, and Settle's endpoint for it (tests that need Xero only). */
export function xeroConsentEndpoint(xero: XeroEmulator): PlatformEndpoints['xero'] {
  xero.oauth.clients.set(XERO_APP.clientId, XERO_APP.clientSecret);
  return xeroEmulatorEndpoint(xero, XERO_APP);
}

export interface CallbackAnswer {
  status: number;
  location: string | null;
  body: any;
  /** The callback URL the platform sent the browser to (to replay it). */
  callbackUrl: string;
}

/** Fetches a callback URL as the browser would (no redirect following: the test reads where it goes). */
export async function followCallback(callbackUrl: string): Promise<CallbackAnswer> {
  const response = await fetch(callbackUrl, { redirect: 'manual' });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // a page
  }
  return { status: response.status, location: response.headers.get('location'), body, callbackUrl };
}

/** The whole consent: authorize, decide on the consent screen, follow the redirect to Settle. */
export async function consent(
  apiUrl: string,
  apiKey: string,
  opts: { role?: string; platform: 'xero' | 'quickbooks'; allow?: boolean; tenantIds: string[]; tamper?: (callbackUrl: URL) => void },
): Promise<CallbackAnswer> {
  const consentUrl = await startConsent(apiUrl, apiKey, opts.role ?? 'wise-pay', opts.platform);
  const callbackUrl = new URL(await decideConsent(consentUrl, { allow: opts.allow ?? true, tenantIds: opts.tenantIds }));
  opts.tamper?.(callbackUrl);
  return followCallback(callbackUrl.toString());
}

export async function startConsent(apiUrl: string, apiKey: string, role: string, platform: 'xero' | 'quickbooks'): Promise<string> {
  const started = await httpClient(apiUrl, apiKey)('POST', `/v1/connections/${role}/authorize`, { body: { platform } });
  if (started.status !== 200) throw new Error(`authorize answered ${started.status}: ${JSON.stringify(started.body)}`);
  return started.body.consentUrl;
}

const today = () => new Date().toISOString().slice(0, 10);

/** An authorised AUD invoice of `amountMinor` to a new contact in the fixture's organisation. */
export async function xeroInvoice(xero: XeroFixture, amountMinor: number) {
  const contact = await xero.platform.createContact({ name: `Payer ${randomBytes(4).toString('hex')}` }, `ct-${randomBytes(8).toString('hex')}`);
  return xero.platform.createInvoice({ contactId: contact.id, date: today(), dueDate: today(), currency: 'AUD', status: 'authorised',
    lines: [{ description: 'Managed services', quantity: 1, unitAmountMinor: amountMinor, accountCode: '200', taxType: 'NONE' }] }, `inv-${randomBytes(8).toString('hex')}`);
}

/** The organisation lets Settle's app go inside Xero: its connection is deleted, the grant dead (403 AuthenticationUnsuccessful). */
export async function organisationLetsGo(stack: TestStack, xero: XeroFixture, merchantId: string): Promise<void> {
  const row = await stack.db.selectFrom('accounting_connections').selectAll().where('merchant_id', '=', merchantId).executeTakeFirstOrThrow();
  const token = await stack.accounting.connections.accessToken(row);
  const response = await fetch(`${xero.emu.connectionsUrl}/${row.platform_connection_id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 204) throw new Error(`deleting the Xero connection answered ${response.status}`);
}
