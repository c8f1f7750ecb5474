// Temporal the way production runs it, on this machine: temporal-server and temporal-sql-tool (built from
// go.temporal.io/server, lib/temporal/binaries.ts), the schemas set up and upgraded by the SQL tool as a one-shot
// job, and the frontend, history, matching and worker services as separate processes of one config file
// (deploy/temporal/config/production.yaml, which docker-compose.yml mounts too). `npm run cluster` runs Settle on it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { freePort, freePortInRange } from '../net';
import { PROJECT_ROOT } from '../paths';
import type { TemporalServerTools } from './binaries';
import { SEARCH_ATTRIBUTES } from './search-attributes';

const run = promisify(execFile);

export const CLUSTER_SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type ClusterService = (typeof CLUSTER_SERVICES)[number];

const CONFIG_ROOT = path.join(PROJECT_ROOT, 'deploy', 'temporal');

export interface ClusterPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** A Postgres URL's parts as the SQL tool and the server's config take them. */
export function clusterPostgres(url: string): ClusterPostgres {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

const SCHEMAS = [
  { database: 'temporal', schema: 'postgresql/v12/temporal' },
  { database: 'temporal_visibility', schema: 'postgresql/v12/visibility' },
] as const;

/**
 * The one-shot schema job (what docker-compose.yml's temporal-schema service runs): creates both databases when
 * missing, sets up the versioning table on a new one, and upgrades each to the schema this server version embeds.
 * Safe to run again; an upgrade of the server binary is applied by running it again before the services start.
 */
export async function setUpClusterSchemas(sqlTool: string, pg: ClusterPostgres): Promise<void> {
  const base = ['--plugin', 'postgres12', '--endpoint', pg.host, '--port', String(pg.port), '--user', pg.user, '--password', pg.password];
  for (const { database, schema } of SCHEMAS) {
    const tool = (...args: string[]) => run(sqlTool, [...base, '--database', database, ...args], { encoding: 'utf8' });
    const created = await tool('create-database').then(() => true, (err: { stderr?: string }) => {
      if (/already exists/.test(err.stderr ?? '')) return false;
      throw new Error(`temporal-sql-tool create-database ${database}: ${err.stderr ?? String(err)}`);
    });
    if (created) await tool('setup-schema', '--version', '0.0');
    await tool('update-schema', '--schema-name', schema);
  }
}

interface ServicePorts {
  grpc: number;
  membership: number;
}

export interface RunningService {
  readonly name: ClusterService;
  readonly pid: number | undefined;
  /** Stops the process (SIGKILL for a crash) and resolves when it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the process again, same config and ports, as a supervisor would after a crash. */
  start(): void;
}

export interface TemporalCluster {
  /** The frontend's gRPC address: what clients, workers and the CLI dial. */
  address: string;
  services: Record<ClusterService, RunningService>;
  logDir: string;
  stop(): Promise<void>;
}

/** The environment deploy/temporal/config/production.yaml is rendered from. */
function clusterEnv(pg: ClusterPostgres, ports: Record<ClusterService, ServicePorts>, httpPort: number, shards: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    TEMPORAL_POSTGRES_HOST: pg.host,
    TEMPORAL_POSTGRES_PORT: String(pg.port),
    TEMPORAL_POSTGRES_USER: pg.user,
    TEMPORAL_POSTGRES_PASSWORD: pg.password,
    TEMPORAL_HISTORY_SHARDS: String(shards),
    TEMPORAL_BIND_ON_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    TEMPORAL_FRONTEND_HTTP_PORT: String(httpPort),
    TEMPORAL_FRONTEND_ADDRESS: `127.0.0.1:${ports.frontend.grpc}`,
    TEMPORAL_DYNAMIC_CONFIG: path.join(CONFIG_ROOT, 'config', 'dynamicconfig', 'production.yaml'),
    TEMPORAL_LOG_LEVEL: 'warn',
  };
  for (const service of CLUSTER_SERVICES) {
    env[`TEMPORAL_${service.toUpperCase()}_PORT`] = String(ports[service].grpc);
    env[`TEMPORAL_${service.toUpperCase()}_MEMBERSHIP_PORT`] = String(ports[service].membership);
  }
  return env;
}

function serviceProcess(server: string, name: ClusterService, env: NodeJS.ProcessEnv, log: WriteStream): RunningService {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const start = () => {
    child = spawn(server, ['--root', CONFIG_ROOT, '--config', 'config', '--env', 'production', '--allow-no-auth', 'start', '--service', name], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    const current = child;
    exited = new Promise((resolve) => current.once('exit', () => resolve()));
  };
  start();
  return {
    name,
    get pid() {
      return child?.pid;
    },
    async stop(signal = 'SIGTERM') {
      if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child?.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
    start,
  };
}

async function until<T>(what: string, attempt: () => Promise<T>, timeoutMs: number, logDir: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`Temporal cluster: ${what} not ready after ${timeoutMs / 1000}s (${(err as Error).message}); see ${logDir}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * Sets up the schemas, starts the four services (each its own process, logs in `dir`), and registers the namespace
 * and Settle's search attributes once the frontend answers.
 */
export async function startTemporalCluster(opts: {
  tools: TemporalServerTools;
  postgres: ClusterPostgres;
  dir: string;
  namespace: string;
  historyShards?: number;
  readyTimeoutMs?: number;
}): Promise<TemporalCluster> {
  mkdirSync(opts.dir, { recursive: true });
  await setUpClusterSchemas(opts.tools.sqlTool, opts.postgres);
  const ports = {} as Record<ClusterService, ServicePorts>;
  // Membership ports go to a smallint column (cluster_membership.rpc_port): they must stay below 32768.
  for (const service of CLUSTER_SERVICES) ports[service] = { grpc: await freePort(), membership: await freePortInRange(20_000, 32_000) };
  const env = clusterEnv(opts.postgres, ports, await freePort(), opts.historyShards ?? 4);
  const logs: WriteStream[] = [];
  const services = {} as Record<ClusterService, RunningService>;
  for (const service of CLUSTER_SERVICES) {
    const log = createWriteStream(path.join(opts.dir, `${service}.log`), { flags: 'a' });
    logs.push(log);
    services[service] = serviceProcess(opts.tools.server, service, env, log);
  }
  const address = `127.0.0.1:${ports.frontend.grpc}`;
  const stop = async () => {
    await Promise.all(CLUSTER_SERVICES.map((s) => services[s].stop()));
    logs.forEach((l) => l.end());
  };
  try {
    const timeoutMs = opts.readyTimeoutMs ?? 90_000;
    const connection = await until('frontend', async () => {
      const c = await Connection.connect({ address, connectTimeout: 1_000 });
      await c.workflowService.getSystemInfo({});
      return c;
    }, timeoutMs, opts.dir);
    try {
      await registerNamespace(connection, opts.namespace, timeoutMs, opts.dir);
    } finally {
      await connection.close();
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, services, logDir: opts.dir, stop };
}

async function registerNamespace(connection: Connection, namespace: string, timeoutMs: number, logDir: string): Promise<void> {
  // The history service must own its shards before a namespace can be registered: retried until it does.
  await until('namespace registration', async () => {
    try {
      await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') });
    } catch (err) {
      if (!/already exists/i.test((err as Error).message)) throw err;
    }
  }, timeoutMs, logDir);
  const types: Record<string, number> = { KEYWORD: 2, DOUBLE: 4, TEXT: 1, INT: 3, BOOL: 5, DATETIME: 6, KEYWORD_LIST: 7 };
  await until('search attributes', async () => {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = SEARCH_ATTRIBUTES.filter((key) => !existing.customAttributes?.[key.name]);
    if (missing.length) {
      await connection.operatorService.addSearchAttributes({
        namespace, searchAttributes: Object.fromEntries(missing.map((key) => [key.name, types[key.type]])),
      });
    }
  }, timeoutMs, logDir);
  // The frontend learns of a new namespace from its registry's periodic refresh: wait until it serves it.
  await until('namespace visible to the frontend', () => connection.workflowService.countWorkflowExecutions({ namespace, query: '' }), timeoutMs, logDir);
}
