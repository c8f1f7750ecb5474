// Sends the outbox. Why one long-lived relay reading the outbox, and not a workflow per row started when the row is
// written: rows are written inside other transactions (a payer's registration in the API, activities of payment
// workflows), and a start made after such a commit can be lost to a crash, leaving a row nobody sends; a start made
// before the commit can send a row that was rolled back. Reading the outbox makes the table the only source of truth,
// so nothing written is ever lost. Temporal keeps the relay itself alive (one per deployment, a fixed id; a worker
// that dies mid-pass has the pass retried elsewhere), visible in the Web UI, and its history holds only counts.
// Retry timing lives per row in Postgres (`next_attempt_at`), so one dead server does not starve later rows forever.
import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../../activities';
import { accountingQueueFor } from '../../lib/task-queues';
import { outboxWrittenSignal, type MailRelayInput } from './definitions';

export async function mailRelayWorkflow(input: MailRelayInput = {}): Promise<void> {
  const service = proxyActivities<activities.Activities>({
    taskQueue: accountingQueueFor(workflowInfo().taskQueue, 'service'), startToCloseTimeout: '5 minutes', heartbeatTimeout: '1 minute',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  const pollMs = input.pollMs ?? 5_000;
  let woken = false;
  setHandler(outboxWrittenSignal, () => {
    woken = true;
  });
  for (let pass = 0; pass < (input.passesPerRun ?? 500); pass++) {
    woken = false;
    const result = await service.relayOutboxEmails({ max: 50 });
    // Rows still due now (a full pass): go again at once; else sleep until the next due row, a signal or the poll.
    const wait = result.nextDueInMs === null ? pollMs : Math.min(pollMs, result.nextDueInMs);
    if (wait > 0 && !woken) await condition(() => woken, wait);
  }
  await continueAsNew<typeof mailRelayWorkflow>(input);
}
