// A time-skipping test server of the suite's own, for workflows with long timers.
//
// Why one per suite and not one per run: time on a Java test server is one clock with one server-wide lock count.
// Any activity or workflow task in flight on it, from any client, stops time for everybody; a workflow a finished
// suite left with a task nobody will poll stops it for good; and two clients awaiting results at once leave the
// count one too high, after which no result() lets time skip again. Suites sharing a server therefore hung or
// passed depending on how their steps happened to interleave (issue 20 has the measurements).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { Workflow, WorkflowResultType } from '@temporalio/common';
import type { Keyring } from '../../lib/crypto/sealed-box';
import { freePort } from '../../lib/net';
import { settleDataConverter } from '../../lib/temporal/payload-codec';
import type { WorkerRole } from '../../lib/task-queues';
import { startWorkers, type RunningWorkers } from '../../workers/start-workers';
import { testServers } from './servers';
import type { TestStack } from './stack';

export interface TimeSkippingServer {
  env: TestWorkflowEnvironment;
  /** Closes the environment's connections and stops the server process; safe to call twice or after a failed start. */
  stop(): Promise<void>;
}

// A cold JVM on two busy cores can take many seconds to listen (the SDK's own launcher gives it five).
const LISTEN_TIMEOUT_MS = 90_000;

/** Starts the suite's own server on a free port, waits until it listens, and connects an environment to it. */
export async function startTimeSkippingServer(keyring: Keyring): Promise<TimeSkippingServer> {
  const executable = testServers().timeSkippingExecutable;
  const client = { dataConverter: settleDataConverter(keyring) };
  if (!executable) {
    // No Java here: the SDK's own download (needs the internet), which also owns the process.
    const env = await TestWorkflowEnvironment.createTimeSkipping({ client });
    return { env, stop: once(() => env.teardown()) };
  }
  const { child, address } = await launch(executable);
  let env: TestWorkflowEnvironment | undefined;
  const stop = once(async () => {
    await env?.teardown();
    await kill(child);
  });
  try {
    const create = (TestWorkflowEnvironment as unknown as { create(opts: object): Promise<TestWorkflowEnvironment> }).create.bind(TestWorkflowEnvironment);
    env = await create({ server: { type: 'existing' }, address, namespace: 'default', supportsTimeSkipping: true, client });
    return { env, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function launch(executable: string): Promise<{ child: ChildProcess; address: string }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(executable, [String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c) => (stderr = (stderr + c).slice(-4_000)));
    // A jest worker that dies takes its server with it.
    const onExit = () => child.kill('SIGKILL');
    process.once('exit', onExit);
    child.once('exit', () => process.removeListener('exit', onExit));
    try {
      await listening(child, port);
      return { child, address: `127.0.0.1:${port}` };
    } catch (err) {
      await kill(child);
      // The port was free a moment ago; another process may have taken it since. Anything else is final.
      if (attempt < 3 && /Address already in use|BindException/.test(stderr)) continue;
      throw new Error(`the time-skipping test server (${executable} ${port}) did not start: ${(err as Error).message}\n${stderr.trim()}`);
    }
  }
}

/** Resolves once the port accepts a connection; rejects when the process exits first or after LISTEN_TIMEOUT_MS. */
function listening(child: ChildProcess, port: number): Promise<void> {
  const deadline = Date.now() + LISTEN_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      child.removeListener('exit', exited);
      if (err) reject(err);
      else resolve();
    };
    const exited = (code: number | null) => finish(new Error(`exited with ${code} before listening`));
    child.once('exit', exited);
    const tryConnect = () => {
      if (done) return;
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), finish()));
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) finish(new Error(`not listening on ${port} after ${LISTEN_TIMEOUT_MS / 1000} s`));
        else setTimeout(tryConnect, 100);
      });
    };
    tryConnect();
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const forced = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(forced);
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}

/** Workers of `roles` on the suite's time-skipping server with the stack's activities, keys and the run's workflow bundle. */
export function startTimeSkippingWorkers(env: TestWorkflowEnvironment, stack: Pick<TestStack, 'activities' | 'apiDeps'>, taskQueuePrefix: string,
  roles: WorkerRole[]): Promise<RunningWorkers> {
  return startWorkers({ connection: env.nativeConnection, namespace: 'default', taskQueuePrefix, roles, activities: stack.activities,
    keyring: stack.apiDeps.keyring, workflowBundle: { codePath: testServers().workflowBundlePath } });
}

/**
 * The workflow's result, or after `withinMs` of real time an error that says what it was waiting for: its pending
 * activities (attempts, last failure), pending children, and how far the server's clock moved meanwhile — so a hang
 * names its cause instead of ending in a bare jest timeout.
 */
export async function resultWithin<W extends Workflow>(env: TestWorkflowEnvironment, handle: WorkflowHandle<W>, withinMs = 120_000): Promise<WorkflowResultType<W>> {
  const startedServerMs = await env.currentTimeMs();
  const EXPIRED = Symbol('expired');
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<typeof EXPIRED>((resolve) => (timer = setTimeout(() => resolve(EXPIRED), withinMs)));
  try {
    const outcome = await Promise.race([handle.result(), expired]);
    if (outcome !== EXPIRED) return outcome as WorkflowResultType<W>;
  } finally {
    clearTimeout(timer);
  }
  const description = await handle.describe();
  const movedHours = ((await env.currentTimeMs()) - startedServerMs) / 3_600_000;
  const pending = (description.raw.pendingActivities ?? []).map((a) =>
    `activity ${a.activityType?.name} (attempt ${a.attempt}, state ${a.state}${a.lastFailure?.message ? `, last failure: ${a.lastFailure.message}` : ''})`);
  const children = (description.raw.pendingChildren ?? []).map((c) => `child ${c.workflowTypeName} ${c.workflowId}`);
  throw new Error(`workflow ${handle.workflowId} still ${description.status.name} after ${withinMs / 1000} s of real time; ` +
    `the server's clock moved ${movedHours.toFixed(1)} h meanwhile; waiting on: ${[...pending, ...children].join('; ') || 'nothing pending (a timer)'}`);
}

/**
 * Gives back the time-skipping lock the Java test server leaks when a child workflow closes after its parent did.
 *
 * On closing, a child takes a lock "unlocked by the parent" (TestWorkflowMutableStateImpl, `processCompleteWorkflowExecution
 * notify parent`) and reports to its parent; a parent that has already closed (an abandoned child, like the daily
 * reminder run's) answers NOT_FOUND and the lock is never released, so from then on the server's clock runs at real
 * speed and a 30-day `env.sleep` waits minutes (temporalio/sdk-java#2392, sdk-typescript#1101, both open). Call it
 * after the child's result: it releases the lock only when the parent is closed and its history never received the
 * child's close, which is exactly when the leak happened; a child that reported to an open parent leaked nothing.
 */
export async function releaseLockLeakedByChild(env: TestWorkflowEnvironment, child: WorkflowHandle): Promise<boolean> {
  const parent = (await child.describe()).parentExecution;
  if (!parent?.workflowId) return false;
  const parentHandle = env.client.workflow.getHandle(parent.workflowId, parent.runId ?? undefined);
  if ((await parentHandle.describe()).status.name === 'RUNNING') {
    throw new Error(`the parent ${parent.workflowId} of ${child.workflowId} is still running: wait for it before releasing a lock`);
  }
  const history = await parentHandle.fetchHistory();
  const reported = (history.events ?? []).some((e) => [e.childWorkflowExecutionCompletedEventAttributes, e.childWorkflowExecutionFailedEventAttributes,
    e.childWorkflowExecutionCanceledEventAttributes, e.childWorkflowExecutionTimedOutEventAttributes, e.childWorkflowExecutionTerminatedEventAttributes]
    .some((a) => a?.workflowExecution?.workflowId === child.workflowId));
  if (reported) return false;
  await env.connection.testService!.unlockTimeSkipping({});
  return true;
}
