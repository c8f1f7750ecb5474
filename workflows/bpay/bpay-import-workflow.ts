// A BPAY file import: parsed and recorded by an activity that reports its progress (lines done of lines total) on
// the import's row as it goes, so a long file shows how far it is; every bad row is reported with its line.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { accountingQueueFor } from '../../lib/task-queues';

export async function bpayImportWorkflow(input: { merchantId: string; importId: string }): Promise<{ accepted: number; errors: number }> {
  const { importBpayFile } = proxyActivities<activities.Activities>({
    taskQueue: accountingQueueFor(workflowInfo().taskQueue, 'service'),
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  return importBpayFile(input);
}
