// The e2e benchmark (card payment to the books) on the production Temporal cluster (lib/temporal/cluster.ts: four
// service processes on Postgres) beside the same benchmark on the dev server, in one run, so the two are compared
// on the same machine at the same time. Loads stop at 8/s: the cluster's processes share the two cores with
// Settle's, and the steps above that only measure the machine.
import { e2eBenchmark } from './e2e';

const LOADS = [1, 2, 4, 8];

export async function clusterBenchmark(): Promise<Record<string, unknown>> {
  process.stdout.write('  on the dev server\n');
  const devServer = await e2eBenchmark({ temporal: 'dev-server', loads: LOADS, plot: 'cluster-dev-server-latency.svg' });
  process.stdout.write('  on the production cluster\n');
  const cluster = await e2eBenchmark({ temporal: 'cluster', loads: LOADS, plot: 'cluster-latency.svg' });
  type Step = { offeredPerSecond: number; p50Ms: number; p99Ms: number; sustained: boolean };
  const steps = (r: Record<string, unknown>) => r.loads as Step[];
  const brief = (step: Step | undefined) => (step ? `p50 ${step.p50Ms} ms, p99 ${step.p99Ms} ms${step.sustained ? '' : ' (not sustained)'}` : 'not reached');
  // Side by side at each offered rate: the same load on the two servers, in the same run.
  const byLoad = LOADS.map((rate) => ({
    offeredPerSecond: rate,
    devServer: steps(devServer).find((s) => s.offeredPerSecond === rate),
    cluster: steps(cluster).find((s) => s.offeredPerSecond === rate),
  }));
  return {
    devServerMaxSustainedPerSecond: devServer.maxOfferedRateSustained,
    clusterMaxSustainedPerSecond: cluster.maxOfferedRateSustained,
    ...Object.fromEntries(byLoad.map((l) => [`at ${l.offeredPerSecond}/s`, `dev server ${brief(l.devServer)} | cluster ${brief(l.cluster)}`])),
    byLoad,
    details: { devServer, cluster },
  };
}
