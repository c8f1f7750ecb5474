// Connects to the time-skipping test server that the global setup started, for workflows with long timers.
//
// The SDK only offers time skipping on a server it starts itself; its (private) `create` does the same
// against an existing one. Using it keeps one Java server per run instead of one per test file. If an SDK
// upgrade removes it, test/integration/time-skipping.test.ts fails first.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Keyring } from '../../lib/crypto/sealed-box';
import { settleDataConverter } from '../../lib/temporal/payload-codec';
import { testServers } from './servers';

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
