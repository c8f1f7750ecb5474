// One night's BPAY upload for a merchant, started by its Schedule (lib/schedules/bpay-upload.ts), on the service
// connection: match new customers to contacts, plan the night (the matching and limit rules are pure functions in
// lib/bpay; the plan is kept in Postgres so a retry posts exactly the same), then post it a chunk at a time.
import { patched, workflowInfo } from '@temporalio/workflow';
import { accountingQueueFor } from '../../lib/task-queues';
import { reconnectionWait } from '../support/reconnection';

export interface BpayNightResult {
  disabled: boolean;
  customersMatched: number;
  customersNeedingAction: number;
  uploaded: number;
  deferred: number;
  heldForCustomers: number;
  beforeStart: number;
}

export async function bpayUploadWorkflow(input: { merchantId: string }): Promise<BpayNightResult> {
  // While the books are disconnected the night waits for the merchant to reconnect them (its Schedule skips the nights
  // meanwhile), then uploads its plan; runs started before retry every minute, as they did.
  const service = reconnectionWait(input.merchantId, patched('wait-for-reconnection')).proxy({
    taskQueue: accountingQueueFor(workflowInfo().taskQueue, 'service'),
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  const customers = await service.matchCustomersToContacts({ merchantId: input.merchantId });
  // The run id, not the workflow id: a Schedule names its workflows by the second, so two runs (a night and a
  // manual trigger) can share a workflow id; their plans and keys must not.
  const night = await service.planBpayNight({ merchantId: input.merchantId, runId: workflowInfo().runId });
  let uploaded = 0;
  for (let chunk = 0; chunk < night.chunks; chunk++) {
    uploaded += await service.uploadBpayChunk({ merchantId: input.merchantId, runId: night.runId, chunk });
  }
  return {
    disabled: night.disabled, customersMatched: customers.matched, customersNeedingAction: customers.needAction,
    uploaded, deferred: night.deferred, heldForCustomers: night.heldForCustomers, beforeStart: night.beforeStart,
  };
}
