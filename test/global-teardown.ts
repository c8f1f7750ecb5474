import { rmSync } from 'node:fs';
import type { RunningTestServers } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as { __settleTestServers?: RunningTestServers }).__settleTestServers;
  if (!servers) return;
  await Promise.all([servers.local.teardown(), servers.timeSkipping.teardown(), servers.postgres?.stop()]);
  rmSync(servers.workDir, { recursive: true, force: true });
}
