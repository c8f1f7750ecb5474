// A QuickBooks emulator with a company (realm) and Settle's adapter pointed at it, for the accounting tests.
import { createQuickBooksPlatform } from '../../activities/accounting/quickbooks';
import type { AccountingPlatform } from '../../activities/accounting/platform';
import { startQuickBooksEmulator, type QuickBooksEmulator, type QuickBooksEmulatorOptions } from '../../emulators/quickbooks';
import type { TokenSet } from '../../emulators/support/oauth';

export interface QuickBooksFixture {
  emu: QuickBooksEmulator;
  realmId: string;
  tokens: TokenSet;
  platform: AccountingPlatform;
  /** The adapter for another realm of the same emulator (its own rate-limit budget). */
  platformFor(realmId: string, token: string): AccountingPlatform;
  realm(): ReturnType<QuickBooksEmulator['state']['realm']>;
  /** A request straight to the emulated API, bypassing the adapter (to set up or probe QBO's own rules). */
  raw(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startQuickBooks(opts: QuickBooksEmulatorOptions & { timeoutMs?: number } = {}): Promise<QuickBooksFixture> {
  const emu = await startQuickBooksEmulator(opts);
  const { realmId, tokens } = emu.createRealm('Acme Managed Services');
  const platformFor = (id: string, token: string) =>
    createQuickBooksPlatform({ endpoint: emu.endpoint, realmId: id, accessToken: async () => token, timeoutMs: opts.timeoutMs ?? 5_000 });
  return {
    emu,
    realmId,
    tokens,
    platform: platformFor(realmId, tokens.access_token),
    platformFor,
    realm: () => emu.state.realm(realmId),
    async raw(method, path, body) {
      const response = await fetch(`${emu.endpoint}${realmId}${path}`, {
        method,
        headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json', accept: 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // XML or empty: keep the text
      }
      return { status: response.status, body: parsed };
    },
    close: () => emu.close(),
  };
}
