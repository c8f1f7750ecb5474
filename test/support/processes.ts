// Runs one of Settle's entry points as a real process, the way it runs in production or on a laptop.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { XeroEmulator } from '../../emulators/xero';
import { appendLog, childLogFile } from './run-logs';
import { testServers } from './servers';
import type { TestStack } from './stack';

export interface RunningProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once the combined output matches; rejects if the process exits first or time runs out. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const ROOT = path.resolve(__dirname, '..', '..');

export function runEntryPoint(script: string, env: NodeJS.ProcessEnv): RunningProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  // Its output also goes to the run's logs, which the run's final check reads for payer data and secrets.
  const logFile = childLogFile(path.basename(script, '.ts'));
  const errFile = logFile?.replace(/\.log$/, '.stderr.log');
  child.stdout!.on('data', (c) => ((out += c), appendLog(logFile, c), listeners.forEach((l) => l())));
  child.stderr!.on('data', (c) => ((err += c), appendLog(errFile, c), listeners.forEach((l) => l())));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForOutput(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(out) || pattern.test(err)) {
            cleanup();
            resolve();
          }
        };
        const timer = setTimeout(() => (cleanup(), reject(new Error(`no ${pattern} in output:\n${out}\n${err}`))), timeoutMs);
        void exited.then((code) => (cleanup(), reject(new Error(`exited with ${code} before ${pattern}:\n${out}\n${err}`))));
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * A worker of one role as its own process (workers/run-worker.ts), on the stack's database, task queues and keys:
 * what the crash and kill tests kill. `env` adds the role's SaaS endpoints (see `xeroWorkerEnv`).
 */
export function runWorkerProcess(stack: Pick<TestStack, 'databaseUrl' | 'taskQueuePrefix' | 'encryptionKeys'>, role: string, env: NodeJS.ProcessEnv = {}): RunningProcess {
  return runEntryPoint('workers/run-worker.ts', {
    SETTLE_WORKER_ROLE: role,
    DATABASE_URL: stack.databaseUrl,
    TEMPORAL_ADDRESS: testServers().temporalAddress,
    SETTLE_TASK_QUEUE_PREFIX: stack.taskQueuePrefix,
    SETTLE_ENCRYPTION_KEYS: stack.encryptionKeys,
    STRIPE_SECRET_KEY: 'sk_test_unused',
    LOG_LEVEL: 'info',
    ...env,
  });
}

/** The environment that points a worker process at the Xero emulator. */
export function xeroWorkerEnv(emu: Pick<XeroEmulator, 'apiBasePath' | 'tokenUrl'>): NodeJS.ProcessEnv {
  return { XERO_API_BASE: emu.apiBasePath, XERO_TOKEN_URL: emu.tokenUrl, XERO_CLIENT_ID: 'settle', XERO_CLIENT_SECRET: 'secret' };
}
