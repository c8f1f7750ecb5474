// Orchestration overhead: payment workflows completed per second against no-op workflows with the same number of
// activities (two, in sequence), on the same Temporal server, in the same run, each with one workflows worker and
// one activity worker of default settings. Rounds alternate (no-op, payment, no-op, …) so drift in a noisy
// machine's load hits both alike; a rate is the round's workflows over the time from the first start to the last
// result.
//
// The payments pay no invoice: recordPayment writes the row and uploadPayment decides "not uploaded" in Postgres,
// so the comparison is Settle's workflow and activities against bare orchestration, not the accounting platform's
// limits (bench/accounting.ts measures those).
import { randomBytes } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { parseKeyring } from '../lib/crypto/sealed-box';
import { taskQueueName } from '../lib/task-queues';
import { settleDataConverter } from '../lib/temporal/payload-codec';
import { bundleWorkflows } from '../workers/workflow-bundle';
import { paymentWorkflowId, type PaymentInput } from '../workflows/payments/definitions';
import { paymentWorkflow } from '../workflows/payments/payment-workflow';
import { createTestMerchant } from '../test/support/merchants';
import { startTestStack, type TestStack } from '../test/support/stack';
import { noopActivities } from './noop/activities';
import { noopWorkflow } from './noop/workflows';
import { startBenchStack } from './support/stack';
import { inParallel, publishBenchServers, round } from './support/world';

const PER_ROUND = 200;
const ROUNDS = 5;
const START_CONCURRENCY = 20;
const NOOP_QUEUE = 'bench-noop';

async function timed(count: number, run: (i: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await inParallel(Array.from({ length: count }, (_, i) => i), START_CONCURRENCY, (i) => run(i));
  return count / ((performance.now() - started) / 1000);
}

export async function overheadBenchmark(): Promise<Record<string, unknown>> {
  const s = await startBenchStack();
  let stack: TestStack | undefined;
  let noopWorkers: Worker[] = [];
  try {
    await publishBenchServers(s);
    stack = await startTestStack({ roles: ['workflows', 'wise-pay'] });
    const { merchantId } = await createTestMerchant(stack, 'Overhead MSP');
    // The test stack's client encrypts under the stack's keys: the no-op workers must hold the same ones.
    const dataConverter = settleDataConverter(parseKeyring(stack.encryptionKeys));
    const bundle = await bundleWorkflows(require.resolve('./noop/workflows'));
    noopWorkers = await Promise.all([
      Worker.create({ connection: stack.nativeConnection, taskQueue: `${NOOP_QUEUE}.workflows`, workflowBundle: bundle, dataConverter }),
      Worker.create({ connection: stack.nativeConnection, taskQueue: `${NOOP_QUEUE}.activities`, activities: noopActivities, dataConverter }),
    ]);
    const running = noopWorkers.map((w) => w.run());
    const client = stack.client;
    const paymentQueue = taskQueueName(stack.taskQueuePrefix, 'workflows');

    const noopRound = () => timed(PER_ROUND, (i) => client.workflow.execute(noopWorkflow, {
      workflowId: `noop-${randomBytes(6).toString('hex')}-${i}`, taskQueue: `${NOOP_QUEUE}.workflows`, args: [{ id: String(i), activityQueue: `${NOOP_QUEUE}.activities` }],
    }));
    const paymentRound = () => timed(PER_ROUND, () => {
      const paymentId = `pay_${randomBytes(12).toString('hex')}`;
      const input: PaymentInput = { paymentId, merchantId, amountMinor: 5_000, currency: 'AUD', reference: 'Bench', channel: 'virtual_terminal', method: 'card' };
      return client.workflow.execute(paymentWorkflow, { workflowId: paymentWorkflowId(merchantId, paymentId), taskQueue: paymentQueue, args: [input] });
    });

    await noopRound(); // warm-up of both: JIT, sticky caches, connections
    await paymentRound();
    const noop: number[] = [];
    const payment: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      noop.push(await noopRound());
      payment.push(await paymentRound());
      process.stdout.write(`  round ${r + 1}: no-op ${round(noop[r])}/s, payment ${round(payment[r])}/s\n`);
    }
    // Harmonic mean: total workflows over total time, as if the rounds were one run.
    const rate = (rates: number[]) => rates.length / rates.reduce((sum, x) => sum + 1 / x, 0);
    const paymentRate = rate(payment);
    const noopRate = rate(noop);
    for (const w of noopWorkers) w.shutdown();
    await Promise.all(running);
    noopWorkers = [];
    return {
      paymentRate: round(paymentRate, 2),
      noopRate: round(noopRate, 2),
      ratio: round(paymentRate / noopRate, 3),
      target: 0.8,
      meetsTarget: paymentRate / noopRate >= 0.8,
      workflowsPerRound: PER_ROUND,
      rounds: { noop: noop.map((x) => round(x, 2)), payment: payment.map((x) => round(x, 2)) },
    };
  } finally {
    for (const w of noopWorkers) if (w.getState() === 'RUNNING') w.shutdown();
    await stack?.close();
    await s.close();
  }
}
