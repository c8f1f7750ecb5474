// Reads the merchant's chart of accounts for the API (GET/PUT /v1/integrations/stripe/payout-accounts), which waits
// for the answer: platform calls run in activities, on the merchant's connection and its rate budget. Short-lived and
// never waiting for a reconnection: the API answers 503 instead and the merchant tries again.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../../activities';
import type { ChartOfAccounts } from '../../activities/payouts/chart';
import { accountingQueueFor } from '../../lib/task-queues';

export async function chartOfAccountsWorkflow(input: { merchantId: string }): Promise<ChartOfAccounts> {
  const { readChartOfAccounts } = proxyActivities<activities.Activities>({
    taskQueue: accountingQueueFor(workflowInfo().taskQueue, 'wise-pay'), startToCloseTimeout: '30 seconds', heartbeatTimeout: '10 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '5 seconds', maximumAttempts: 3 },
  });
  return readChartOfAccounts(input);
}
