// One batch of Manage's accounting interface into the accounting package, on the company connection (id
// `invoice-sync/{merchant}/{batch identifier}`): open the batch (or re-open it, on a re-run) → match its customers to
// contacts (holding only the unmatched customers' invoices) while posting its pending invoices in chunks, four at once
// (lookups first; creations once matching is done; each activity records what it did in Postgres, so a crash repeats
// at most its chunk's lookups and never a creation) →
// mark it exported in Manage if every invoice is in the books, else leave it for a re-run once fixed. While the books
// are disconnected it waits for the merchant to reconnect them (workflows/support/reconnection.ts), then carries on.
import { patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { accountingQueueFor } from '../../lib/task-queues';
import { reconnectionWait } from '../support/reconnection';
import type { InvoiceChunk } from '../../lib/invoice-sync/chunks';
import { invoiceSyncStateQuery, type InvoiceSyncInput, type InvoiceSyncState } from './definitions';

const CHUNKS_AT_ONCE = 4;

/** A scheduled run's batch identifier: from its start, the same on every replay and retry. */
function scheduledIdentifier(): string {
  const started = workflowInfo().runStartTime.toISOString();
  return `settle-${started.slice(0, 19).replace(/[-:T]/g, '')}`;
}

export async function invoiceSyncWorkflow(input: InvoiceSyncInput): Promise<InvoiceSyncState> {
  const { merchantId } = input;
  const { workflowId, taskQueue } = workflowInfo();
  const queue = accountingQueueFor(taskQueue, 'company');
  // Runs started before reconnection waits retry an unavailable connection every minute, as they did.
  const books = reconnectionWait(merchantId, patched('wait-for-reconnection'));
  // Every step waits if it finds the books disconnected (contacts and posting need them); each is safe to run again.
  const company = books.proxy({
    taskQueue: queue, startToCloseTimeout: '15 minutes', heartbeatTimeout: '20 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  const state: InvoiceSyncState = { merchantId, batchIdentifier: input.batchIdentifier ?? scheduledIdentifier(), status: 'opening', invoices: 0, posted: 0, failed: 0, held: 0 };
  setHandler(invoiceSyncStateQuery, () => ({ ...state, waitingForConnection: books.waiting }));

  const opened = await company.openInvoiceBatch({ merchantId, batchIdentifier: state.batchIdentifier, workflowId });
  state.batchId = opened.batchId;
  state.invoices = opened.invoices;
  if (opened.invoices === 0) {
    state.status = 'empty';
    return state;
  }
  state.status = 'matching-contacts';
  // The chunks are planned while the contacts are matched (planning needs only the pending invoices' ids; an invoice
  // matching holds stays in its chunk's range and is skipped there), so posting starts as soon as matching ends.
  const plannedEarly = patched('plan-chunks-while-matching') ? company.planInvoiceChunks({ merchantId, batchId: opened.batchId }) : undefined;
  // Chunks at once, as many as leave one of Xero's five calls in flight free; the rate budget paces the calls.
  const postChunks = async (chunks: InvoiceChunk[], whileMatching: boolean) => {
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(CHUNKS_AT_ONCE, chunks.length) }, async () => {
      while (next < chunks.length) await company.postInvoiceChunk({ merchantId, batchId: opened.batchId, chunk: chunks[next++], whileMatching });
    }));
  };
  if (plannedEarly && patched('post-while-matching')) {
    // The chunks' lookups by invoice number need no contact: they go out beside the matching, in the slots it leaves
    // free (its own calls go first), and each chunk waits for the matching to end before it creates anything.
    const chunks = await plannedEarly;
    const matched = company.matchBatchContacts({ merchantId, batchId: opened.batchId }).then(() => {
      state.status = 'posting';
    });
    await Promise.all([matched, postChunks(chunks, true)]);
  } else {
    await company.matchBatchContacts({ merchantId, batchId: opened.batchId });
    state.status = 'posting';
    if (patched('parallel-invoice-chunks')) await postChunks(await (plannedEarly ?? company.planInvoiceChunks({ merchantId, batchId: opened.batchId })), false);
  }
  // Before the patch, the whole posting; after it, a last look for anything still pending (normally nothing).
  for (;;) {
    const chunk = await company.postInvoiceChunk({ merchantId, batchId: opened.batchId });
    if (chunk.remaining === 0) break;
  }
  state.status = 'finishing';
  const finished = await company.finishInvoiceBatch({ merchantId, batchId: opened.batchId });
  Object.assign(state, { status: finished.status, posted: finished.posted, failed: finished.failed, held: finished.held });
  return state;
}
