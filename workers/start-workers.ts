// Starts the workers for a set of roles on one connection, and stops them gracefully (draining work in flight).
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { Activities } from '../activities';
import type { Keyring } from '../lib/crypto/sealed-box';
import { taskQueueName, type WorkerRole } from '../lib/task-queues';
import { settleDataConverter } from '../lib/temporal/payload-codec';

export interface StartWorkersOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueuePrefix: string;
  roles: readonly WorkerRole[];
  activities: Activities;
  /** Encrypts the payloads the workers send to Temporal (the same keyring as the clients'). */
  keyring: Keyring;
  /** Prebuilt bundle (see workflow-bundle.ts); without it the workflows worker bundles at start. */
  workflowBundle?: WorkflowBundleOption;
}

export interface RunningWorkers {
  workers: Worker[];
  /** Resolves when every worker has stopped; rejects if one fails. */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

export async function startWorkers(opts: StartWorkersOptions): Promise<RunningWorkers> {
  const dataConverter = settleDataConverter(opts.keyring);
  const workers = await Promise.all(
    opts.roles.map((role) =>
      Worker.create({
        connection: opts.connection,
        namespace: opts.namespace,
        taskQueue: taskQueueName(opts.taskQueuePrefix, role),
        dataConverter,
        ...(role === 'workflows'
          ? opts.workflowBundle
            ? { workflowBundle: opts.workflowBundle }
            : { workflowsPath: require.resolve('../workflows') }
          : { activities: opts.activities }),
      }),
    ),
  );
  const done = Promise.all(workers.map((w) => w.run())).then(() => undefined);
  return {
    workers,
    done,
    async shutdown() {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
