// `npm run tools`: finds or builds the Temporal CLI, the time-skipping test server and stripe-mock ahead of time
// (CI runs it first so a cold build shows its progress on its own; `npm start` and `npm test` would do
// the same lookup themselves). With `--cluster` (`npm run cluster`), the production server's binaries as well.
import { findStripeMock } from '../lib/stripe-mock';
import { findTemporalCli, findTemporalServerTools, findTestServer } from '../lib/temporal/binaries';

async function main() {
  const started = Date.now();
  const [cli, testServer] = [await findTemporalCli(), await findTestServer()];
  process.stdout.write(`Temporal CLI: ${cli ?? 'not available here (the SDK will try to download it)'}\n`);
  process.stdout.write(`Time-skipping test server: ${testServer ?? 'not available here (the SDK will try to download it)'}\n`);
  // Only the Stripe contract test uses it; it needs Go like the CLI.
  process.stdout.write(`stripe-mock: ${(await findStripeMock()) ?? 'not available here (needs Go)'}\n`);
  if (process.argv.includes('--cluster')) {
    const server = await findTemporalServerTools();
    if (!server) throw new Error('the production cluster needs Go 1.25+ to build temporal-server (or TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH)');
    process.stdout.write(`temporal-server: ${server.server}\ntemporal-sql-tool: ${server.sqlTool}\n`);
  }
  process.stdout.write(`tools ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
}

void main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
