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
  const headline = (r: Record<string, unknown>) => `p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms at ${r.atRatePerSecond}/s; sustained up to ${r.maxOfferedRateSustained}/s`;
  return {
    devServer: headline(devServer),
    cluster: headline(cluster),
    p99RatioClusterToDevServer: Math.round((Number(cluster.p99Ms) / Math.max(1, Number(devServer.p99Ms))) * 100) / 100,
    details: { devServer, cluster },
  };
}
