// The daily upkeep of accounting connections, started by its Schedule (lib/schedules/connection-upkeep.ts): warns
// of grants about to lapse that nothing uses, and clears what consents left behind. Postgres and the platforms'
// revocation endpoints only (no accounting API call), on the service queue with the other background work. Safe
// to run twice at once: each expiry is warned of once (a row lock), each leftover deleted once.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { accountingQueueFor } from '../../lib/task-queues';
import type { ConnectionUpkeepResult } from './definitions';

export async function connectionUpkeepWorkflow(): Promise<ConnectionUpkeepResult> {
  const service = proxyActivities<activities.Activities>({
    taskQueue: accountingQueueFor(workflowInfo().taskQueue, 'service'), startToCloseTimeout: '5 minutes',
    retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 20 },
  });
  const warned = await service.warnOfExpiringGrants();
  const swept = await service.sweepConsents();
  return { warned, ...swept };
}
