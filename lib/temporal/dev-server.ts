// Runs `temporal server start-dev` as a child process with a persisted database and the Web UI.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeArgs } from './search-attributes';

export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(opts: {
  cli: string;
  dbFile: string;
  logFile: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** Where the Web UI decodes payloads (Settle's API `/codec`), so the local UI shows them decrypted. */
  codecEndpoint?: string;
  readyTimeoutMs?: number;
}): Promise<DevServer> {
  mkdirSync(path.dirname(opts.dbFile), { recursive: true });
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  const child = spawn(
    opts.cli,
    ['server', 'start-dev', '--db-filename', opts.dbFile, '--ip', '127.0.0.1', '--port', String(opts.port),
      '--ui-port', String(opts.uiPort), '--namespace', opts.namespace, '--log-level', 'warn', ...searchAttributeArgs(),
      // SQLite's default journal fsyncs every commit: on these disks that held each workflow start for ~1 s under load
      // (bench/api.ts). A write-ahead log synced at checkpoints survives a killed server (the chaos suite restarts it)
      // and loses only the last commits to a power cut — the right trade for a local dev server.
      '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal',
      ...(opts.codecEndpoint ? ['--ui-codec-endpoint', opts.codecEndpoint] : [])],
    // Its own process group: Ctrl-C reaches only the supervisor, which stops the server after the workers.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `127.0.0.1:${opts.port}`;

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  let earlyExit: number | null | undefined;
  void exited.then((code) => (earlyExit = code));
  for (;;) {
    if (earlyExit !== undefined) {
      throw new Error(`temporal server exited with ${earlyExit} before it was ready; see ${opts.logFile}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`temporal server not ready at ${address}: ${(err as Error).message}; see ${opts.logFile}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    address,
    uiUrl: `http://localhost:${opts.uiPort}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      log.end();
    },
  };
}
