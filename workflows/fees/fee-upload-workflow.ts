// Uploads Settle's fee documents for one merchant, one at a time in issue order, on the service connection. Started
// (or woken) with signal-with-start whenever a document is issued or the merchant saves fee accounts; finishes when
// idle, and continues as new after a while so its history stays short.
import { condition, continueAsNew, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { accountingQueueFor } from '../../lib/task-queues';
import { reconnectionWait } from '../support/reconnection';
import { feeDocumentsChangedSignal, feeUploadStateQuery, type FeeUploadInput, type FeeUploadState } from './definitions';

const DOCUMENTS_PER_RUN = 100;
const IDLE_BEFORE_FINISHING = '10 minutes';

export async function feeUploadWorkflow(input: FeeUploadInput): Promise<FeeUploadState> {
  // While the books are disconnected the upload waits for the merchant to reconnect them; runs started before retry every minute.
  const books = reconnectionWait(input.merchantId, patched('wait-for-reconnection'));
  const service = books.proxy({
    taskQueue: accountingQueueFor(workflowInfo().taskQueue, 'service'),
    // Accounting activities heartbeat every 2 s: a dead worker's upload is retried (same keys) within 10 s.
    startToCloseTimeout: '2 minutes', heartbeatTimeout: '10 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  const state: FeeUploadState = { handled: 0, waitingForAccounts: false };
  let changed = false;
  setHandler(feeDocumentsChangedSignal, () => void (changed = true));
  setHandler(feeUploadStateQuery, () => ({ ...state, waitingForConnection: books.waiting }));

  while (state.handled < DOCUMENTS_PER_RUN) {
    changed = false;
    const next = await service.nextFeeDocument({ merchantId: input.merchantId });
    state.current = next ?? undefined;
    if (!next) {
      if (await condition(() => changed, IDLE_BEFORE_FINISHING)) continue;
      return state;
    }
    const outcome = await service.uploadFeeDocument({ merchantId: input.merchantId, documentId: next });
    state.waitingForAccounts = outcome.status === 'waiting-for-accounts';
    // Later documents wait too: a credit must apply to the invoice that follows it, not skip ahead.
    if (state.waitingForAccounts) await condition(() => changed);
    else state.handled++;
  }
  await continueAsNew<typeof feeUploadWorkflow>(input);
  return state;
}
