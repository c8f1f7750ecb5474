// Task queue names. Imported by workflows too, so this file must stay free of Node APIs.
//
// One queue for workflow tasks, and one per accounting connection role so that each role's activities
// are rate-limited on their own and a flood of background work never delays a payer's payment.

export const ACCOUNTING_ROLES = ['wise-pay', 'company', 'service'] as const;
export type AccountingRole = (typeof ACCOUNTING_ROLES)[number];

export const WORKER_ROLES = ['workflows', ...ACCOUNTING_ROLES] as const;
export type WorkerRole = (typeof WORKER_ROLES)[number];

const WORKFLOWS_SUFFIX = '.workflows';

/** `settle.workflows`, `settle.accounting.wise-pay`, … for the prefix `settle`. */
export function taskQueueName(prefix: string, role: WorkerRole): string {
  return role === 'workflows' ? `${prefix}${WORKFLOWS_SUFFIX}` : `${prefix}.accounting.${role}`;
}

/**
 * The accounting queue that goes with the workflow queue a workflow runs on. Workflows use this, with
 * `workflowInfo().taskQueue`, so that a deployment (or a test) with its own prefix keeps its activities to itself.
 * A queue without the `.workflows` suffix is taken whole as the prefix: the replayer runs workflows on a queue
 * of its own, and a replay must not fail over a name it never dispatches to.
 */
export function accountingQueueFor(workflowTaskQueue: string, role: AccountingRole): string {
  const prefix = workflowTaskQueue.endsWith(WORKFLOWS_SUFFIX)
    ? workflowTaskQueue.slice(0, -WORKFLOWS_SUFFIX.length)
    : workflowTaskQueue;
  return taskQueueName(prefix, role);
}

/**
 * The connection role an accounting activity acts for, read from the queue it runs on: the workflow chose
 * the queue, so the queue is the single source of truth for which connection (and rate budget) is used.
 */
export function roleOfTaskQueue(taskQueue: string): AccountingRole | undefined {
  const match = /\.accounting\.([a-z-]+)$/.exec(taskQueue);
  return ACCOUNTING_ROLES.find((role) => role === match?.[1]);
}
