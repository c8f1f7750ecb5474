// The merchant's chart of accounts, read on its wise-pay connection (the one its Stripe money is posted through), for
// the payout-accounts settings: the API checks a merchant's choice against it and shows the defaults it would get.
import type { accountingRunner } from '../accounting';
import type { ChartAccount, PlatformName } from '../accounting/platform';

export interface ChartOfAccounts {
  platform: PlatformName;
  accounts: ChartAccount[];
}

export function createChartActivities({ accounting: { onConnection } }: { accounting: ReturnType<typeof accountingRunner> }) {
  return {
    async readChartOfAccounts(input: { merchantId: string }): Promise<ChartOfAccounts> {
      return onConnection(input.merchantId, async (call, connection) => ({ platform: connection.platform, accounts: await call((p) => p.listAccounts()) }));
    },
  };
}
