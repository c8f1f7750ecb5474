// What a test run keeps for its leak checks, in the run's folder (published by test/global-setup.ts):
//   logs/*.log                 the info-level logs of the API, workers and Temporal SDK the tests start, one file per
//                              jest worker process, plus the output of the entry points the tests run as processes;
//   leak-scan/databases.txt    every database the run created;
//   leak-scan/<database>.json  the scan of a database made just before it was dropped (test/support/leak-scan-db.ts).
// test/global-teardown.ts reads them all once the run is over and fails the run on a leak.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { createLogger, type Logger } from '../../lib/logger';
import type { DatabaseScan } from './leak-scan-db';
import { testServers } from './servers';

function runDir(): string | undefined {
  return testServers().runDir;
}

let destination: pino.DestinationStream | undefined;

/**
 * A logger for what the tests start: info level into this worker process's log file (the console stays quiet);
 * LOG_LEVEL=debug (or any level) also prints to the console at that level, for a person debugging a test.
 */
export function testLogger(name?: string): Logger {
  const dir = runDir();
  const consoleLevel = process.env.LOG_LEVEL;
  if (!dir) return createLogger({ level: consoleLevel ?? 'silent', name });
  if (!destination) {
    const file = path.join(dir, 'logs', `worker-${process.env.JEST_WORKER_ID ?? '0'}-${process.pid}.log`);
    destination = pino.destination({ dest: file, mkdir: true, append: true, sync: true });
  }
  if (!consoleLevel || consoleLevel === 'silent') return createLogger({ level: 'info', name, destination });
  const streams = pino.multistream([{ level: 'info', stream: destination }, { level: consoleLevel as pino.Level, stream: process.stdout }]);
  const lowest = pino.levels.values[consoleLevel] < pino.levels.values.info ? consoleLevel : 'info';
  return createLogger({ level: lowest, name, destination: streams });
}

/** Where an entry point run as a process by a test writes its output (undefined: nowhere). */
export function childLogFile(label: string): string | undefined {
  const dir = runDir();
  if (!dir) return undefined;
  mkdirSync(path.join(dir, 'logs'), { recursive: true });
  return path.join(dir, 'logs', `process-${label.replace(/[^A-Za-z0-9_-]+/g, '_')}-${process.pid}-${Date.now()}.log`);
}

export function appendLog(file: string | undefined, chunk: string | Buffer): void {
  if (file) appendFileSync(file, chunk);
}

const scanDir = (dir: string) => path.join(dir, 'leak-scan');

/** Notes a database the run created, so the final check scans it even if no test dropped it. */
export function recordDatabase(name: string): void {
  const dir = runDir();
  if (!dir) return;
  mkdirSync(scanDir(dir), { recursive: true });
  appendFileSync(path.join(scanDir(dir), 'databases.txt'), `${name}\n`);
}

export function scansEnabled(): boolean {
  return runDir() !== undefined;
}

export function recordDatabaseScan(scan: DatabaseScan): void {
  const dir = runDir();
  if (!dir) return;
  mkdirSync(scanDir(dir), { recursive: true });
  writeFileSync(path.join(scanDir(dir), `${scan.database}.json`), JSON.stringify(scan));
}

/** For the final check (in the jest main process): what the run recorded. */
export function readRun(dir: string): { databases: string[]; scans: DatabaseScan[]; logFiles: string[] } {
  const scans = existsSync(scanDir(dir)) ? readdirSync(scanDir(dir)).filter((f) => f.endsWith('.json')) : [];
  const list = path.join(scanDir(dir), 'databases.txt');
  const logs = path.join(dir, 'logs');
  return {
    databases: existsSync(list) ? readFileSync(list, 'utf8').split('\n').filter(Boolean) : [],
    scans: scans.map((f) => JSON.parse(readFileSync(path.join(scanDir(dir), f), 'utf8')) as DatabaseScan),
    logFiles: existsSync(logs) ? readdirSync(logs).map((f) => path.join(logs, f)) : [],
  };
}
