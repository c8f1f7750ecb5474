// Recorded workflow histories for the replay test (test/replay): a test that drove a workflow through a path
// records its history once, or again with SETTLE_RECORD_HISTORIES=1. Every recording is replayed first against
// the current bundle, so a history is only ever written from code that replays it.
//
// Test stacks encrypt every payload with a key made for the run (lib/temporal/payload-codec.ts): a recording is
// decrypted first with the handle's own codecs, so the files hold plain payloads that replay under any keyring.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { isEncryptedPayload } from '../../lib/temporal/payload-codec';
import { testServers } from './servers';

export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  const history = await handle.fetchHistory();
  await decodePayloadsInPlace(history, handle.client.options.loadedDataConverter.payloadCodecs);
  await Worker.runReplayHistory({ workflowBundle: { codePath: testServers().workflowBundlePath } }, history);
  const fixture = path.join(__dirname, '..', 'replay', 'histories', `${name}.json`);
  if (process.env.SETTLE_RECORD_HISTORIES === '1' || !existsSync(fixture)) {
    mkdirSync(path.dirname(fixture), { recursive: true });
    writeFileSync(fixture, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`);
  }
}

/** Replaces every encrypted payload anywhere in `message` (a history, an event) by its decoded form. */
export async function decodePayloadsInPlace(message: unknown, codecs: PayloadCodec[]): Promise<void> {
  const encrypted: Payload[] = [];
  const visit = (value: unknown) => {
    if (!value || typeof value !== 'object' || ArrayBuffer.isView(value)) return;
    if (isEncryptedPayload(value as Payload)) encrypted.push(value as Payload);
    else for (const child of Object.values(value)) visit(child);
  };
  visit(message);
  for (const payload of encrypted) {
    let decoded = [payload];
    for (const codec of [...codecs].reverse()) decoded = await codec.decode(decoded);
    Object.assign(payload, { metadata: decoded[0].metadata, data: decoded[0].data });
  }
}
