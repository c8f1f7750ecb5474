// stripe-mock (Stripe's own server answering from its OpenAPI spec), to check that the requests Settle's Stripe SDK
// client sends are ones Stripe's API accepts (parameter names, types, enums). Found like the Temporal CLI
// (lib/temporal/binaries.ts): STRIPE_MOCK_PATH, then `stripe-mock` on PATH, then the keyed cache (SETTLE_TOOLS_CACHE,
// default ~/.cache/settle), else built with `go install` into that cache when Go is present; undefined without Go.
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isExecutable, onPath, runWithProgress, toolCacheDir } from '../temporal/binaries';

export const STRIPE_MOCK_MODULE = 'github.com/stripe/stripe-mock';
export const STRIPE_MOCK_VERSION = 'v0.203.0';

export function stripeMockCacheDir(): string {
  return toolCacheDir('stripe-mock', STRIPE_MOCK_VERSION);
}

export async function findStripeMock(progress: (line: string) => void = (l) => process.stderr.write(`[stripe-mock] ${l}\n`)): Promise<string | undefined> {
  const fromEnv = process.env.STRIPE_MOCK_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`STRIPE_MOCK_PATH=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const onPathMock = onPath('stripe-mock');
  if (onPathMock) return onPathMock;
  const cached = path.join(stripeMockCacheDir(), 'stripe-mock');
  if (isExecutable(cached)) return cached;
  const go = onPath('go');
  if (!go) return undefined;
  progress(`building stripe-mock ${STRIPE_MOCK_VERSION} with go install into ${path.dirname(cached)} (first time only)`);
  mkdirSync(path.dirname(cached), { recursive: true });
  await runWithProgress(go, ['install', `${STRIPE_MOCK_MODULE}@${STRIPE_MOCK_VERSION}`], {
    cwd: os.tmpdir(), env: { ...process.env, GOBIN: path.dirname(cached) }, label: 'go install', progress,
  });
  return isExecutable(cached) ? cached : undefined;
}
