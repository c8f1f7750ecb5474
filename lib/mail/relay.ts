// Starting the mail relay (workflows/mail): idempotent, so every service worker and `npm start` may call it; the
// fixed workflow id keeps one running per task-queue prefix.
import type { Client } from '@temporalio/client';
import { taskQueueName } from '../task-queues';
import { mailRelayWorkflowId, outboxWrittenSignal, type MailRelayInput } from '../../workflows/mail/definitions';

export async function ensureMailRelay(client: Client, taskQueuePrefix: string, input: MailRelayInput = {}): Promise<void> {
  await client.workflow.start('mailRelayWorkflow', {
    workflowId: mailRelayWorkflowId(taskQueuePrefix), taskQueue: taskQueueName(taskQueuePrefix, 'workflows'), args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

/** Best effort: the relay would find the row on its next poll anyway. */
export async function wakeMailRelay(client: Client, taskQueuePrefix: string): Promise<void> {
  await client.workflow.getHandle(mailRelayWorkflowId(taskQueuePrefix)).signal(outboxWrittenSignal).catch(() => undefined);
}

/** Wakes the relay after a commit that wrote outbox rows; never waits and never fails (see wakeMailRelay). */
export type MailWaker = () => void;

export function mailWaker(client: Client, taskQueuePrefix: string): MailWaker {
  return () => void wakeMailRelay(client, taskQueuePrefix);
}

/** For processes with no relay to wake (benchmarks, tools): rows wait for the relay's next poll. */
export const noMailWaker: MailWaker = () => undefined;
