// Finding and building the local tools Settle runs but does not ship (Temporal's servers, stripe-mock): an executable
// named by an environment variable, on PATH, or in a keyed cache folder that `go install` fills the first time,
// with progress lines so a long first build never looks hung.
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type Progress = (line: string) => void;
/** Progress lines on stderr, each tagged with the tool's name. */
export const progressLines = (tag: string): Progress => (line) => process.stderr.write(`[${tag}] ${line}\n`);

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function goBinDir(go: string): string {
  const gobin = execFileSync(go, ['env', 'GOBIN'], { encoding: 'utf8' }).trim();
  if (gobin) return gobin;
  const gopath = execFileSync(go, ['env', 'GOPATH'], { encoding: 'utf8' }).trim().split(path.delimiter)[0];
  return path.join(gopath, 'bin');
}

/** Runs a long command, echoing its output and a heartbeat so a first-time build never looks hung. */
export function runWithProgress(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; label: string; progress: Progress }) {
  return new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const echo = (chunk: Buffer) =>
      chunk.toString().split('\n')
        .map((line) => line.replace(/\x1b\[[0-9;]*m/g, '').trimEnd()) // Maven's bare colour resets are not progress
        .filter(Boolean)
        .forEach((line) => opts.progress(`${opts.label}: ${line}`));
    child.stdout.on('data', echo);
    child.stderr.on('data', echo);
    const heartbeat = setInterval(
      () => opts.progress(`${opts.label}: still working, ${Math.round((Date.now() - started) / 1000)}s so far`),
      15_000,
    );
    child.on('error', (err) => {
      clearInterval(heartbeat);
      reject(err);
    });
    child.on('exit', (code) => {
      clearInterval(heartbeat);
      if (code === 0) {
        opts.progress(`${opts.label}: done in ${Math.round((Date.now() - started) / 1000)}s`);
        resolve();
      } else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`));
    });
  });
}

/** The keyed cache folder of a tool build (one per tool, version and platform). */
export function toolCacheDir(tool: string, version: string): string {
  const root = process.env.SETTLE_TOOLS_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'settle');
  return path.join(root, `${tool}-${version}-${process.platform}-${process.arch}`);
}


export interface GoTool {
  /** The executable's name (on PATH, in the cache, in the Go bin folder). */
  name: string;
  /** An environment variable that names the executable outright. */
  envVar: string;
  /** `go install` target (module path of the main package) and version. */
  module: string;
  version: string;
  /** The keyed cache folder the build goes to. */
  cacheDir: string;
  /** Also take a build an earlier plain `go install` left in the Go bin folder. */
  fromGoBin?: boolean;
  /** Said before a cold build, e.g. "the Temporal CLI v1.5.1 … (first time only; a few minutes)". */
  building: string;
}

/**
 * A Go tool's path: its environment variable, PATH, the keyed cache, (optionally) the Go bin folder, else built with
 * `go install` into the keyed cache; undefined without Go and without a build.
 */
export async function findGoTool(tool: GoTool, progress: Progress): Promise<string | undefined> {
  const fromEnv = process.env[tool.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${tool.envVar}=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const found = onPath(tool.name);
  if (found) return found;
  const cached = path.join(tool.cacheDir, tool.name);
  if (isExecutable(cached)) return cached;
  const go = onPath('go');
  if (!go) return undefined;
  if (tool.fromGoBin) {
    const installed = path.join(goBinDir(go), tool.name);
    if (isExecutable(installed)) return installed;
  }
  progress(`building ${tool.building} with go install into ${tool.cacheDir}`);
  mkdirSync(tool.cacheDir, { recursive: true });
  await runWithProgress(go, ['install', `${tool.module}@${tool.version}`], {
    cwd: os.tmpdir(), // outside any Go module, so the project's files cannot influence the build
    env: { ...process.env, GOBIN: tool.cacheDir },
    label: 'go install',
    progress,
  });
  return isExecutable(cached) ? cached : undefined;
}
