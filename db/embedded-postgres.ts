// Starts embedded Postgres (real Postgres binaries from npm) when no DATABASE_URL is given.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../lib/paths';

export interface EmbeddedPostgres {
  /** Connection URL of the `postgres` database; swap the path for other databases. */
  url: string;
  stop(): Promise<void>;
}

/**
 * @param databaseDir the cluster's folder; created and initialised on first use, reused after.
 * @param persistent false for tests: the folder is deleted when the cluster stops.
 */
export async function startEmbeddedPostgres(opts: { databaseDir: string; port: number; persistent: boolean }): Promise<EmbeddedPostgres> {
  mkdirSync(path.dirname(opts.databaseDir), { recursive: true });
  // As root, Postgres runs as the `postgres` user, which must be able to reach the cluster's folder
  // (a fresh mkdtemp folder is 0700); above that, db/postgres-placement.ts moves what it cannot reach.
  if (process.getuid?.() === 0) chmodSync(path.dirname(opts.databaseDir), 0o755);
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'embedded-postgres-server.ts'), opts.databaseDir, String(opts.port),
      opts.persistent ? 'persistent' : 'ephemeral'],
    { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'pipe'], detached: true },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      // Where it placed what the postgres user could not reach (db/postgres-placement.ts) is worth a line.
      stderr.split('\n').filter((l) => l.startsWith('embedded Postgres:')).forEach((l) => process.stderr.write(`${l}\n`));
      resolve(JSON.parse(line).url);
    });
    child.on('exit', (code) => reject(new Error(`embedded Postgres exited with ${code}: ${stderr.trim()}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    async stop() {
      child.stdin!.end();
      await exited;
    },
  };
}
