// Connects to the time-skipping test server that the global setup started, for workflows with long timers.
//
// The SDK only offers time skipping on a server it starts itself; its (private) `create` does the same
// against an existing one. Using it keeps one Java server per run instead of one per test file. If an SDK
// upgrade removes it, test/integration/time-skipping.test.ts fails first.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Keyring } from '../../lib/crypto/sealed-box';
import { settleDataConverter } from '../../lib/temporal/payload-codec';
import type { WorkerRole } from '../../lib/task-queues';
import { startWorkers, type RunningWorkers } from '../../workers/start-workers';
import { testServers } from './servers';
import type { TestStack } from './stack';

/** `keyring`: the one the workers use, so the environment's client encrypts and decrypts as they do. */
export async function connectTimeSkipping(keyring: Keyring): Promise<TestWorkflowEnvironment> {
  const create = (TestWorkflowEnvironment as unknown as {
    create(opts: object): Promise<TestWorkflowEnvironment>;
  }).create.bind(TestWorkflowEnvironment);
  return create({
    server: { type: 'existing' },
    address: testServers().timeSkippingAddress,
    namespace: 'default',
    supportsTimeSkipping: true,
    client: { dataConverter: settleDataConverter(keyring) },
  });
}

/** Workers of `roles` on the time-skipping server with the stack's activities, keys and the run's workflow bundle. */
export function startTimeSkippingWorkers(env: TestWorkflowEnvironment, stack: Pick<TestStack, 'activities' | 'apiDeps'>, taskQueuePrefix: string,
  roles: WorkerRole[]): Promise<RunningWorkers> {
  return startWorkers({ connection: env.nativeConnection, namespace: 'default', taskQueuePrefix, roles, activities: stack.activities,
    keyring: stack.apiDeps.keyring, workflowBundle: { codePath: testServers().workflowBundlePath } });
}
