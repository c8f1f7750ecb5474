// Recorded workflow histories for the replay test (test/replay): a test that drove a workflow through a path
// records its history once, or again with SETTLE_RECORD_HISTORIES=1. Every recording is replayed first against
// the current bundle, so a history is only ever written from code that replays it.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { testServers } from './servers';

export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  const history = await handle.fetchHistory();
  await Worker.runReplayHistory({ workflowBundle: { codePath: testServers().workflowBundlePath } }, history);
  const fixture = path.join(__dirname, '..', 'replay', 'histories', `${name}.json`);
  if (process.env.SETTLE_RECORD_HISTORIES === '1' || !existsSync(fixture)) {
    mkdirSync(path.dirname(fixture), { recursive: true });
    writeFileSync(fixture, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`);
  }
}
