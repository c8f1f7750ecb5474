// The server lookup order: an explicit path wins, then PATH; a bad explicit path is an error, not a fallback.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findTemporalCli, findTestServer, temporalCliCacheDir, temporalCliExecutable, TEMPORAL_CLI_VERSION } from '../../lib/temporal/binaries';

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
