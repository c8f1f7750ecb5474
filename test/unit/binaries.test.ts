// The server lookup order: an explicit path wins, then PATH; a bad explicit path is an error, not a fallback.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findTemporalCli, findTemporalServerTools, findTestServer, temporalCliCacheDir, temporalCliExecutable, TEMPORAL_CLI_VERSION, TEMPORAL_SERVER_VERSION } from '../../lib/temporal/binaries';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

function fakeExecutable(dir: string, name: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, 0o755);
  return file;
}

const quiet = () => undefined;

it('uses TEMPORAL_CLI_PATH first', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-'));
  const explicit = fakeExecutable(dir, 'my-temporal');
  process.env.TEMPORAL_CLI_PATH = explicit;
  expect(await findTemporalCli(quiet)).toBe(explicit);
  expect(await temporalCliExecutable(quiet)).toEqual({ type: 'existing-path', path: explicit });
});

it('refuses a TEMPORAL_CLI_PATH that is not executable', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-'));
  const file = path.join(dir, 'temporal');
  writeFileSync(file, 'not a program');
  process.env.TEMPORAL_CLI_PATH = file;
  await expect(findTemporalCli(quiet)).rejects.toThrow(/not an executable file/);
});

it('finds `temporal` on PATH before the Go bin folder', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'path-'));
  const onPath = fakeExecutable(dir, 'temporal');
  delete process.env.TEMPORAL_CLI_PATH;
  process.env.PATH = `${dir}${path.delimiter}${saved.PATH}`;
  expect(await findTemporalCli(quiet)).toBe(onPath);
});

it('finds a build in the keyed cache (one folder per CLI version) when PATH has none', async () => {
  const cache = mkdtempSync(path.join(os.tmpdir(), 'tools-cache-'));
  delete process.env.TEMPORAL_CLI_PATH;
  process.env.SETTLE_TOOLS_CACHE = cache;
  process.env.PATH = mkdtempSync(path.join(os.tmpdir(), 'empty-path-')); // no `temporal`, no `go`
  expect(temporalCliCacheDir()).toBe(path.join(cache, `temporal-cli-${TEMPORAL_CLI_VERSION}-${process.platform}-${process.arch}`));
  expect(await findTemporalCli(quiet)).toBeUndefined();
  mkdirSync(temporalCliCacheDir());
  const cached = fakeExecutable(temporalCliCacheDir(), 'temporal');
  expect(await findTemporalCli(quiet)).toBe(cached);
});

it('uses TEMPORAL_TEST_SERVER_PATH first for the time-skipping server', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ts-'));
  const explicit = fakeExecutable(dir, 'test-server');
  process.env.TEMPORAL_TEST_SERVER_PATH = explicit;
  expect(await findTestServer(quiet)).toBe(explicit);
});

it('builds a time-skipping server launcher from Maven when none is configured', async () => {
  delete process.env.TEMPORAL_TEST_SERVER_PATH;
  process.env.SETTLE_DATA_DIR = mkdtempSync(path.join(os.tmpdir(), 'data-')); // a fresh clone's empty .data
  const launcher = await findTestServer(quiet);
  expect(launcher).toBe(path.join(process.env.SETTLE_DATA_DIR, 'bin', 'temporal-test-server'));
}, 120_000);

describe('the production server tools (npm run cluster)', () => {
  it('takes TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH together, and refuses one without the other', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'server-'));
    const server = fakeExecutable(dir, 'my-server');
    const sqlTool = fakeExecutable(dir, 'my-sql');
    process.env.TEMPORAL_SERVER_PATH = server;
    process.env.TEMPORAL_SQL_TOOL_PATH = sqlTool;
    expect(await findTemporalServerTools(quiet)).toEqual({ server, sqlTool });
    delete process.env.TEMPORAL_SQL_TOOL_PATH;
    await expect(findTemporalServerTools(quiet)).rejects.toThrow(/set both TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH/);
  });

  it('finds a build in its keyed cache, and is undefined with no cache and no Go', async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'tools-cache-'));
    delete process.env.TEMPORAL_SERVER_PATH;
    delete process.env.TEMPORAL_SQL_TOOL_PATH;
    process.env.SETTLE_TOOLS_CACHE = cache;
    process.env.PATH = mkdtempSync(path.join(os.tmpdir(), 'empty-path-')); // no `go`
    expect(await findTemporalServerTools(quiet)).toBeUndefined();
    const dir = path.join(cache, `temporal-server-${TEMPORAL_SERVER_VERSION}-${process.platform}-${process.arch}`);
    mkdirSync(dir, { recursive: true });
    const tools = { server: fakeExecutable(dir, 'temporal-server'), sqlTool: fakeExecutable(dir, 'temporal-sql-tool') };
    expect(await findTemporalServerTools(quiet)).toEqual(tools);
  });
});
