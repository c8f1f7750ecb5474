// stripe-mock: Stripe's own mock of its API, generated from Stripe's OpenAPI document. It checks each request's path,
// method and parameters against that document (unknown or ill-typed parameters are a 400) and answers with fixtures,
// keeping no state. Settle's own Stripe emulator keeps state but is written by us; the contract test sends what the
// SDK sent to the emulator through stripe-mock as well, so a request Stripe would refuse cannot hide in the emulator.
//
// Found as STRIPE_MOCK_PATH, `stripe-mock` on PATH, the keyed cache, else built with `go install` into it (~20 s).
import { spawn } from 'node:child_process';
import { freePort } from './net';
import { findGoTool, progressLines, toolCacheDir, type Progress } from './tool-builds';

export const STRIPE_MOCK_MODULE = 'github.com/stripe/stripe-mock';
// Its go.mod has no `replace` directive, so `go install ...@version` works from the Go module proxy.
export const STRIPE_MOCK_VERSION = 'v0.203.0';

const defaultProgress = progressLines('stripe-mock');

/** Path of stripe-mock, building it when Go is here; undefined without Go and without a build. */
export function findStripeMock(progress: Progress = defaultProgress): Promise<string | undefined> {
  return findGoTool({
    name: 'stripe-mock', envVar: 'STRIPE_MOCK_PATH', module: STRIPE_MOCK_MODULE, version: STRIPE_MOCK_VERSION,
    cacheDir: toolCacheDir('stripe-mock', STRIPE_MOCK_VERSION), building: `stripe-mock ${STRIPE_MOCK_VERSION} (first time only)`,
  }, progress);
}

export interface RunningStripeMock {
  /** `http://127.0.0.1:<port>`: the base the SDK or fetch sends `/v1/...` to. */
  url: string;
  close(): Promise<void>;
}

/** Starts stripe-mock on a free loopback port and waits until it listens (it loads its spec first, a second or two). */
export async function startStripeMock(executable: string): Promise<RunningStripeMock> {
  const port = await freePort();
  const child = spawn(executable, ['-http-addr', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stripe-mock did not listen within 30 s:\n${output}`)), 30_000);
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Listening for HTTP/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`stripe-mock exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
