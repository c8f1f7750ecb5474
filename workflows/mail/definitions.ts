// The mail relay: one per task-queue prefix (a deployment), started by the service worker when SMTP is configured.
import { defineSignal } from '@temporalio/workflow';

export const mailRelayWorkflowId = (taskQueuePrefix: string) => `mail-relay/${taskQueuePrefix}`;
/** Wakes the relay at once (an email was just written); without it the relay finds the row on its next poll. */
export const outboxWrittenSignal = defineSignal('outboxWritten');

export interface MailRelayInput {
  /** Longest wait between passes when nothing is due (a row written meanwhile waits at most this). */
  pollMs?: number;
  /** Passes before the relay continues as new, keeping its history short. */
  passesPerRun?: number;
}
