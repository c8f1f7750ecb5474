// Finds (or builds) the Temporal servers that `npm start`, the tests and the benchmarks run locally.
// The SDK's own download needs the internet, which these machines do not have, so it is the last resort.
//
// Temporal CLI (dev server + Web UI): TEMPORAL_CLI_PATH, then PATH, then the keyed cache (~/.cache/settle), then the
//   Go bin folder, then `go install` into the keyed cache when Go is present, then the SDK's cached download.
// Production server (temporal-server + temporal-sql-tool, `npm run cluster`): TEMPORAL_SERVER_PATH and
//   TEMPORAL_SQL_TOOL_PATH, then the keyed cache, then `go install` into it.
// Time-skipping test server: TEMPORAL_TEST_SERVER_PATH, then a launcher built from Maven Central
//   (io.temporal:temporal-test-server), then the SDK's cached download.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dataDir, PROJECT_ROOT } from '../paths';
import { findGoTool, isExecutable, onPath, progressLines, runWithProgress, toolCacheDir, type Progress } from '../tool-builds';

const defaultProgress = progressLines('temporal');

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
// The last tag whose go.mod has no `replace` directive, so `go install ...@version` works.
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

export type ServerExecutable = { type: 'existing-path'; path: string } | { type: 'cached-download' };

/**
 * The keyed cache folder a build of the CLI goes to: one folder per CLI version and platform, under
 * SETTLE_TOOLS_CACHE (default ~/.cache/settle), so a CI cache keyed on the same name can carry it between runs and a
 * version bump never picks up an old build.
 */
export function temporalCliCacheDir(): string {
  return toolCacheDir('temporal-cli', TEMPORAL_CLI_VERSION);
}

/**
 * Path of the Temporal CLI: TEMPORAL_CLI_PATH, `temporal` on PATH, the keyed cache, the Go bin folder (an earlier
 * `go install`), else built with Go into the keyed cache; undefined when none can be had here.
 */
export async function findTemporalCli(progress: Progress = defaultProgress): Promise<string | undefined> {
  return findGoTool({
    name: 'temporal', envVar: 'TEMPORAL_CLI_PATH', module: TEMPORAL_CLI_MODULE, version: TEMPORAL_CLI_VERSION,
    cacheDir: temporalCliCacheDir(), fromGoBin: true, building: `the Temporal CLI ${TEMPORAL_CLI_VERSION} (first time only; a few minutes)`,
  }, progress);
}

export async function temporalCliExecutable(progress?: Progress): Promise<ServerExecutable> {
  const cli = await findTemporalCli(progress);
  return cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' };
}

export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
// Production Temporal: v1.29.1's go.mod has no `replace` directive (so `go install ...@version` works) and needs Go 1.25.
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';

export interface TemporalServerTools {
  /** `temporal-server`: the cluster services (frontend, history, matching, worker), one process each. */
  server: string;
  /** `temporal-sql-tool`: creates and upgrades the persistence and visibility schemas. */
  sqlTool: string;
}

/**
 * The production server's two binaries: TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH, else the keyed cache,
 * else built with `go install` into it (first time only, several minutes on two cores); undefined without Go.
 */
export async function findTemporalServerTools(progress: Progress = defaultProgress): Promise<TemporalServerTools | undefined> {
  const fromEnv = { server: process.env.TEMPORAL_SERVER_PATH, sqlTool: process.env.TEMPORAL_SQL_TOOL_PATH };
  if (fromEnv.server || fromEnv.sqlTool) {
    for (const [name, file] of Object.entries(fromEnv)) {
      if (!file || !isExecutable(file)) throw new Error(`set both TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH to executables (${name}: ${file ?? 'unset'})`);
    }
    return fromEnv as TemporalServerTools;
  }
  const dir = toolCacheDir('temporal-server', TEMPORAL_SERVER_VERSION);
  const tools = { server: path.join(dir, 'temporal-server'), sqlTool: path.join(dir, 'temporal-sql-tool') };
  if (isExecutable(tools.server) && isExecutable(tools.sqlTool)) return tools;
  const go = onPath('go');
  if (!go) return undefined;
  progress(`building temporal-server and temporal-sql-tool ${TEMPORAL_SERVER_VERSION} with go install into ${dir} (first time only; several minutes)`);
  const build = path.join(dir, 'build');
  mkdirSync(build, { recursive: true });
  await runWithProgress(go, ['install', `${TEMPORAL_SERVER_MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`,
    `${TEMPORAL_SERVER_MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`], {
    cwd: os.tmpdir(), // outside any Go module, as for the CLI
    env: { ...process.env, GOBIN: build },
    label: 'go install',
    progress,
  });
  // go install names a binary after its package folder (server, sql); the names Temporal's images and docs use are clearer.
  renameSync(path.join(build, 'server'), tools.server);
  renameSync(path.join(build, 'sql'), tools.sqlTool);
  return tools;
}

const TEST_SERVER_POM = path.join(PROJECT_ROOT, 'tools', 'temporal-test-server', 'pom.xml');

function launcherIsValid(launcher: string, classpathFile: string): boolean {
  if (!isExecutable(launcher) || !existsSync(classpathFile)) return false;
  const jars = readFileSync(classpathFile, 'utf8').trim().split(path.delimiter);
  return jars.length > 0 && jars.every((jar) => existsSync(jar));
}

/** Path of an executable that runs the time-skipping test server as `<exe> <port> [--enable-time-skipping]`. */
export async function findTestServer(progress: Progress = defaultProgress): Promise<string | undefined> {
  const fromEnv = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`TEMPORAL_TEST_SERVER_PATH=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const binDir = dataDir('bin');
  const launcher = path.join(binDir, 'temporal-test-server');
  const classpathFile = path.join(binDir, 'temporal-test-server.classpath');
  if (launcherIsValid(launcher, classpathFile)) return launcher;
  const mvn = onPath('mvn');
  const java = onPath('java');
  if (!mvn || !java) return undefined;
  mkdirSync(binDir, { recursive: true });
  progress('fetching the Temporal test server from Maven Central (first time only)');
  await runWithProgress(
    mvn,
    ['-q', '-B', '-f', TEST_SERVER_POM, 'dependency:build-classpath', `-Dmdep.outputFile=${classpathFile}`],
    { cwd: path.dirname(TEST_SERVER_POM), label: 'maven', progress },
  );
  writeFileSync(
    launcher,
    `#!/bin/sh\n# Generated by lib/temporal/binaries.ts: Temporal's Java test server.\n` +
      `exec "${java}" -cp "$(cat "${classpathFile}")" io.temporal.testserver.TestServer "$@"\n`,
    { mode: 0o755 },
  );
  return launcher;
}

export async function testServerExecutable(progress?: Progress): Promise<ServerExecutable> {
  const server = await findTestServer(progress);
  return server ? { type: 'existing-path', path: server } : { type: 'cached-download' };
}
