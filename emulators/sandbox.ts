// Sandbox mode: when no accounting credentials are configured, `npm start` runs the Xero and QuickBooks
// emulators locally and points Settle at them, so every flow can be tried end to end on one machine.
import type { PlatformEndpoints } from '../activities/accounting/connections';
import { startQuickBooksEmulator, type QuickBooksEmulator } from './quickbooks';
import { startXeroEmulator, type XeroEmulator } from './xero';

export interface SandboxEmulators {
  xero: XeroEmulator;
  quickbooks: QuickBooksEmulator;
  endpoints: PlatformEndpoints;
  close(): Promise<void>;
}

export async function startSandboxEmulators(ports: { xero: number; quickbooks: number }): Promise<SandboxEmulators> {
  const [xero, quickbooks] = await Promise.all([startXeroEmulator({ port: ports.xero }), startQuickBooksEmulator({ port: ports.quickbooks })]);
  const client = { clientId: 'sandbox', clientSecret: 'sandbox' };
  return {
    xero,
    quickbooks,
    endpoints: {
      xero: { apiBase: xero.apiBasePath, tokenUrl: xero.tokenUrl, ...client },
      quickbooks: { apiBase: quickbooks.endpoint, tokenUrl: quickbooks.tokenUrl, ...client },
    },
    async close() {
      await Promise.all([xero.close(), quickbooks.close()]);
    },
  };
}
