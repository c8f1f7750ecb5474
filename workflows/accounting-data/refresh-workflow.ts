// Refreshes Settle's copy of the merchant's accounting data now, on the wise-pay connection (a merchant's click is a
// user action, ahead of background sync), page by page so its progress can be queried.
import { proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { accountingQueueFor } from '../../lib/task-queues';
import { refreshProgressQuery, type RefreshProgress } from './definitions';

export async function accountingRefreshWorkflow(input: { merchantId: string }): Promise<RefreshProgress> {
  const wisePay = proxyActivities<activities.Activities>({
    taskQueue: accountingQueueFor(workflowInfo().taskQueue, 'wise-pay'), startToCloseTimeout: '2 minutes', heartbeatTimeout: '10 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  const progress: RefreshProgress = { status: 'running', pages: 0, invoices: 0, rechecked: 0, startedAt: new Date(Date.now()).toISOString() };
  setHandler(refreshProgressQuery, () => progress);
  for (let page: number | undefined = 1; page; ) {
    const result: { invoices: number; nextPage?: number } = await wisePay.refreshInvoicePage({ merchantId: input.merchantId, page });
    progress.pages++;
    progress.invoices += result.invoices;
    page = result.nextPage;
  }
  progress.rechecked = await wisePay.refreshUnseenInvoices({ merchantId: input.merchantId, since: progress.startedAt });
  return Object.assign(progress, { status: 'done' as const, finishedAt: new Date(Date.now()).toISOString() });
}
