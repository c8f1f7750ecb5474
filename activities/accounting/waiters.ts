// Work that waits for a connection: a workflow whose accounting activity found the connection unavailable
// registers here and sleeps on a signal (workflows/support/reconnection.ts) instead of retrying against a
// connection that cannot work. Connecting (or reconnecting) the merchant signals every registered workflow.
// Registering checks the connection after writing the row, so a reconnect that happens meanwhile is never missed:
// either the reconnect reads the row and signals, or the check sees the connection.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Db } from '../../db/database';
import { roleOfTaskQueue } from '../../lib/task-queues';
import { ACCOUNTING_RECONNECTED_SIGNAL } from '../../lib/temporal/reconnection';
import { ConnectionUnavailable, type ConnectionStore } from './connections';

export function createWaiterActivities(db: Db, connections: ConnectionStore) {
  return {
    /** Registers the calling workflow as waiting; answers whether the connection of the queue's role works already. */
    async awaitAccountingConnection(input: { merchantId: string }): Promise<{ connected: boolean }> {
      const info = Context.current().info;
      const role = roleOfTaskQueue(info.taskQueue) ?? 'wise-pay';
      const workflowId = info.workflowExecution?.workflowId;
      if (!workflowId) throw new Error('awaitAccountingConnection runs inside a workflow');
      await db.insertInto('accounting_connection_waiters').values({ workflow_id: workflowId, merchant_id: input.merchantId })
        .onConflict((oc) => oc.column('workflow_id').doNothing()).execute();
      try {
        await connections.resolve(input.merchantId, role);
        return { connected: true };
      } catch (err) {
        if (err instanceof ConnectionUnavailable) return { connected: false };
        throw err;
      }
    },
  };
}

/** After the merchant (re)connected: signal each waiting workflow once, and forget it (it registers again if it must). */
export async function wakeConnectionWaiters(db: Db, temporal: Client, merchantId: string): Promise<number> {
  const waiters = await db.deleteFrom('accounting_connection_waiters').where('merchant_id', '=', merchantId).returning('workflow_id').execute();
  for (const { workflow_id } of waiters) {
    await temporal.workflow.getHandle(workflow_id).signal(ACCOUNTING_RECONNECTED_SIGNAL).catch((err) => {
      if (!(err instanceof WorkflowNotFoundError)) throw err; // closed meanwhile: nothing to wake
    });
  }
  return waiters.length;
}
