// Builds the merchant console when its build is older than what it is built from (its sources, the API whose
// document types its client, the lockfile), so `npm start`, the browser tests and the bench serve a current console
// without rebuilding it every time. The build itself is console/build.ts, in its own process.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../lib/logger';

const root = path.resolve(__dirname, '..');
const STAMP = path.join(root, 'console', 'dist', '.built');
const SOURCES = ['console/src', 'console/index.html', 'console/vite.config.ts', 'console/build.ts', 'console/tsconfig.json', 'api', 'lib', 'db', 'package-lock.json'];

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const stat = statSync(p);
  if (!stat.isDirectory()) return p.endsWith('schema.d.ts') ? 0 : stat.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((name) => newestMtime(path.join(p, name))));
}

export function consoleBuildIsStale(): boolean {
  const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
  return SOURCES.some((s) => newestMtime(path.join(root, s)) > built);
}

/** Builds the console if stale; resolves when it is current. */
export async function ensureConsoleBuilt(log?: Pick<Logger, 'info'>): Promise<{ built: boolean }> {
  if (!consoleBuildIsStale()) return { built: false };
  log?.info('building the merchant console (console/build.ts)');
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'console', 'build.ts')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`building the console failed (exit ${code})`))));
  });
  writeFileSync(STAMP, new Date().toISOString());
  log?.info({ ms: Date.now() - started }, 'merchant console built');
  return { built: true };
}
