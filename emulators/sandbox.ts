// Sandbox mode: when no accounting credentials are configured, `npm start` runs the Xero, QuickBooks and Stripe
// emulators locally and points Settle at them, so every flow can be tried end to end on one machine.
import type { PlatformEndpoints } from '../activities/accounting/connections';
import { startQuickBooksEmulator, type QuickBooksEmulator } from './quickbooks';
import { startStripeEmulator, type StripeEmulator } from './stripe';
import { startXeroEmulator, type XeroEmulator } from './xero';

export interface SandboxEmulators {
  xero: XeroEmulator;
  quickbooks: QuickBooksEmulator;
  stripe: StripeEmulator;
  endpoints: PlatformEndpoints;
  /** The keys the sandbox's Stripe takes (any sk_test_/pk_test_ key works; these are the ones Settle uses). */
  stripeKeys: { secretKey: string; publishableKey: string; apiBase: string };
  close(): Promise<void>;
}

export async function startSandboxEmulators(ports: { xero: number; quickbooks: number; stripe: number }): Promise<SandboxEmulators> {
  const [xero, quickbooks, stripe] = await Promise.all([
    startXeroEmulator({ port: ports.xero }), startQuickBooksEmulator({ port: ports.quickbooks }), startStripeEmulator({ port: ports.stripe }),
  ]);
  const client = { clientId: 'sandbox', clientSecret: 'sandbox' };
  return {
    xero,
    quickbooks,
    stripe,
    stripeKeys: { secretKey: 'sk_test_sandbox', publishableKey: 'pk_test_sandbox', apiBase: stripe.url },
    endpoints: {
      xero: { apiBase: xero.apiBasePath, tokenUrl: xero.tokenUrl, ...client },
      quickbooks: { apiBase: quickbooks.endpoint, tokenUrl: quickbooks.tokenUrl, ...client },
    },
    async close() {
      await Promise.all([xero.close(), quickbooks.close(), stripe.close()]);
    },
  };
}
