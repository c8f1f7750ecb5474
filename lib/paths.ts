// Where the project lives and where local state (dev databases, built tools) goes.
import { existsSync } from 'node:fs';
import path from 'node:path';

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'tools'))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

export const PROJECT_ROOT = findProjectRoot(__dirname);

/** Local state: `.data/` in the project unless SETTLE_DATA_DIR says otherwise. Never committed. */
export function dataDir(...parts: string[]): string {
  return path.join(process.env.SETTLE_DATA_DIR ?? path.join(PROJECT_ROOT, '.data'), ...parts);
}
