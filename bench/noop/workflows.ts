// The overhead benchmark's baseline: a workflow with as many activities as the payment workflow (two, one after
// the other), each doing nothing. Bundled on its own (bench/overhead.ts), never part of the production workflows.
import { proxyActivities } from '@temporalio/workflow';
import type { noopActivities } from './activities';

/** Activities on a queue of their own (`activityQueue`), as the payment workflow's run on the wise-pay queue. */
export async function noopWorkflow(input: { id: string; activityQueue: string }): Promise<string> {
  const { noop } = proxyActivities<typeof noopActivities>({ taskQueue: input.activityQueue, startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second' } });
  await noop(input.id);
  await noop(input.id);
  return input.id;
}
