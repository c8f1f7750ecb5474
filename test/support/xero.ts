// A Xero emulator with an organisation (tenant) and Settle's adapter pointed at it, for the accounting tests.
// The emulator's clock can be moved forward (to expire access tokens) without waiting.
import { createXeroPlatform, type XeroPlatformOptions } from '../../activities/accounting/xero';
import type { AccountingPlatform } from '../../activities/accounting/platform';
import { startXeroEmulator, type TenantLedger, type XeroEmulator, type XeroEmulatorOptions } from '../../emulators/xero';
import type { TokenSet } from '../../emulators/support/oauth';

export interface XeroFixture {
  emu: XeroEmulator;
  tenantId: string;
  tokens: TokenSet;
  platform: AccountingPlatform;
  /** The adapter for another tenant or token of the same emulator. */
  platformFor(tenantId: string, token: string, extra?: Partial<XeroPlatformOptions>): AccountingPlatform;
  /** The tenant's ledger in the emulator (integer cents). */
  ledger(): TenantLedger;
  /** Moves the emulator's clock forward. */
  advance(ms: number): void;
  /** A request straight to the emulated API, bypassing the adapter (to set up or probe Xero's own rules). */
  raw(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startXero(opts: XeroEmulatorOptions & { timeoutMs?: number } = {}): Promise<XeroFixture> {
  let skew = 0;
  const emu = await startXeroEmulator({ clock: () => Date.now() + skew, ...opts });
  const { tenantId, tokens } = emu.createTenant('Acme Managed Services');
  const platformFor = (id: string, token: string, extra: Partial<XeroPlatformOptions> = {}) =>
    createXeroPlatform({ basePath: emu.apiBasePath, tenantId: id, accessToken: async () => token, timeoutMs: opts.timeoutMs ?? 5_000, ...extra });
  return {
    emu,
    tenantId,
    tokens,
    platform: platformFor(tenantId, tokens.access_token),
    platformFor,
    ledger: () => emu.state.tenant(tenantId),
    advance: (ms) => {
      skew += ms;
    },
    async raw(method, path, body, headers = {}) {
      const response = await fetch(`${emu.apiBasePath}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${tokens.access_token}`, 'xero-tenant-id': tenantId, accept: 'application/json',
          'content-type': 'application/json', ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Xero's 404 is plain text: keep it
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    close: () => emu.close(),
  };
}
