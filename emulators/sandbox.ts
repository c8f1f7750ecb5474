// Sandbox mode: when no accounting credentials are configured, `npm start` runs the Xero, QuickBooks and Stripe
// emulators locally and points Settle at them, so every flow can be tried end to end on one machine.
import type { PlatformEndpoints } from '../activities/accounting/connections';
import { QUICKBOOKS_DEFAULT_SCOPES, XERO_DEFAULT_SCOPES } from '../lib/config';
import { startBssEmulator, type BssEmulator } from './bss';
import { startManageEmulator, type ManageEmulator } from './connectwise';
import { startMailInbox, type MailInbox } from './mail/inbox';
import { startSmtpSink, type SmtpSink } from './mail/smtp-sink';
import { startQuickBooksEmulator, type QuickBooksEmulator } from './quickbooks';
import { startStripeEmulator, type StripeEmulator } from './stripe';
import { startXeroEmulator, type XeroEmulator } from './xero';

export interface SandboxEmulators {
  xero: XeroEmulator;
  quickbooks: QuickBooksEmulator;
  stripe: StripeEmulator;
  /** ConnectWise Manage and the cloud BSS, for billing sync (seeded by emulators/billing-demo.ts). */
  manage: ManageEmulator;
  bss: BssEmulator;
  /** A local mail server that keeps every email, and a web inbox to read them in. */
  mail: { smtp: SmtpSink; inbox: MailInbox };
  endpoints: PlatformEndpoints;
  /** The keys the sandbox's Stripe takes (any sk_test_/pk_test_ key works; these are the ones Settle uses). */
  stripeKeys: { secretKey: string; publishableKey: string; apiBase: string };
  close(): Promise<void>;
}

type App = { clientId: string; clientSecret: string };

/** Settle's endpoint for the Xero emulator (API and identity side), for the app given. */
export function xeroEmulatorEndpoint(xero: XeroEmulator, app: App): PlatformEndpoints['xero'] {
  return {
    apiBase: xero.apiBasePath, tokenUrl: xero.tokenUrl, authorizeUrl: xero.authorizeUrl, revocationUrl: xero.revocationUrl,
    connectionsUrl: xero.connectionsUrl, scopes: XERO_DEFAULT_SCOPES.split(' '), ...app,
  };
}

/** Settle's endpoints for the Xero and QuickBooks emulators (API and identity side), for the apps given. */
export function emulatorEndpoints(xero: XeroEmulator, quickbooks: QuickBooksEmulator, apps: { xero: App; quickbooks: App }): PlatformEndpoints {
  return {
    xero: xeroEmulatorEndpoint(xero, apps.xero),
    quickbooks: {
      apiBase: quickbooks.endpoint, tokenUrl: quickbooks.tokenUrl, authorizeUrl: quickbooks.authorizeUrl, revocationUrl: quickbooks.revocationUrl,
      scopes: QUICKBOOKS_DEFAULT_SCOPES.split(' '), ...apps.quickbooks,
    },
  };
}

export async function startSandboxEmulators(ports: { xero: number; quickbooks: number; stripe: number; manage?: number; bss?: number; smtp?: number; inbox?: number }): Promise<SandboxEmulators> {
  const [xero, quickbooks, stripe, manage, bss, smtp] = await Promise.all([
    startXeroEmulator({ port: ports.xero }), startQuickBooksEmulator({ port: ports.quickbooks }), startStripeEmulator({ port: ports.stripe }),
    startManageEmulator({ port: ports.manage ?? 4013 }), startBssEmulator({ port: ports.bss ?? 4014 }), startSmtpSink({ port: ports.smtp ?? 4015 }),
  ]);
  const inbox = await startMailInbox(smtp, ports.inbox ?? 4016);
  const client = { clientId: 'sandbox', clientSecret: 'sandbox' };
  return {
    xero,
    quickbooks,
    stripe,
    manage,
    bss,
    mail: { smtp, inbox },
    stripeKeys: { secretKey: 'sk_test_sandbox', publishableKey: 'pk_test_sandbox', apiBase: stripe.url },
    // The identity side too, so merchants connect through the emulators' consent screens as they would for real.
    endpoints: emulatorEndpoints(xero, quickbooks, { xero: client, quickbooks: client }),
    async close() {
      await Promise.all([xero.close(), quickbooks.close(), stripe.close(), manage.close(), bss.close(), smtp.close(), inbox.close()]);
    },
  };
}
