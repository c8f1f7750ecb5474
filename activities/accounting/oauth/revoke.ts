// Ending a grant at its platform (RFC 7009 revocation: Xero's through xero-node, Intuit's through node-quickbooks):
// what a replaced grant, a consent that failed after its code was exchanged and an abandoned pick of organisations
// all need, so that no grant stays live at the platform that Settle no longer holds.
import type { PlatformEndpoint, SealedTokens } from '../connections';
import type { PlatformName } from '../platform';
import { quickBooksRevoke } from './quickbooks';
import { xeroRevoke } from './xero';

export async function revokeGrant(endpoint: PlatformEndpoint, platform: PlatformName, tokens: SealedTokens): Promise<void> {
  if (platform === 'xero') await xeroRevoke(endpoint, tokens);
  else await quickBooksRevoke(endpoint, tokens);
}
