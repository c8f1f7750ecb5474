// `npm run bench` runs every benchmark; `npm run bench -- NAME` runs one. Each writes
// bench/results/NAME.json and prints a short table. Targets are checked against baselines measured in the
// same run, never in tests: these machines are noisy.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { accountingBenchmark } from './accounting';
import { apiBenchmark } from './api';
import { clusterBenchmark } from './cluster';
import { e2eBenchmark } from './e2e';
import { invoiceSyncBenchmark } from './invoice-sync';
import { matchingBenchmark } from './matching';
import { overheadBenchmark } from './overhead';

type Benchmark = () => Promise<Record<string, unknown>>;

const BENCHMARKS: Record<string, Benchmark> = {
  e2e: e2eBenchmark,
  overhead: overheadBenchmark,
  api: apiBenchmark,
  accounting: accountingBenchmark,
  matching: matchingBenchmark,
  'invoice-sync': invoiceSyncBenchmark,
  // Not in the default set (`npm run bench`): it builds and runs the production cluster; `npm run cluster` runs it.
  cluster: clusterBenchmark,
};
const DEFAULT_SET = Object.keys(BENCHMARKS).filter((name) => name !== 'cluster');

async function main() {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !BENCHMARKS[n]);
  if (unknown.length) throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  for (const name of names.length ? names : DEFAULT_SET) {
    process.stdout.write(`\n== ${name}\n`);
    const result = await BENCHMARKS[name]();
    writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    for (const [key, value] of Object.entries(result)) {
      if (typeof value !== 'object') process.stdout.write(`  ${key.padEnd(34)} ${value}\n`);
    }
    process.stdout.write(`  -> bench/results/${name}.json\n`);
  }
}

void main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
