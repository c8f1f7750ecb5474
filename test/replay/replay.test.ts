// Replays recorded histories of every shipped workflow against the current code: a change that would break
// running workflows (non-determinism) fails here. Such a change needs `patched()`. To record a history
// again, run the workflow's integration test with SETTLE_RECORD_HISTORIES=1.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { newKeyringText, parseKeyring } from '../../lib/crypto/sealed-box';
import { settleDataConverter } from '../../lib/temporal/payload-codec';
import * as workflows from '../../workflows';
import { testServers } from '../support/servers';

const HISTORIES = path.join(__dirname, 'histories');
const recorded = readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));

it('has a recorded history for every workflow', () => {
  const names = recorded.map((f) => f.replace(/(\.[\w-]+)?\.json$/, ''));
  const exported = Object.entries(workflows).filter(([, value]) => typeof value === 'function').map(([name]) => name);
  expect(new Set(names)).toEqual(new Set(exported));
});

// Replayed through the payload codec every worker has: the recorded (plain, pre-codec) payloads pass through it, as
// the histories of workflows started before the codec was installed do in production.
const dataConverter = settleDataConverter(parseKeyring(newKeyringText('replay')));

it.each(recorded)('replays %s deterministically', async (file) => {
  const history = JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8'));
  await Worker.runReplayHistory({ workflowBundle: { codePath: testServers().workflowBundlePath }, replayName: file, dataConverter }, history);
});
