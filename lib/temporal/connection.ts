// Connections to Temporal from configuration: a local dev server, a self-hosted cluster or Temporal Cloud.
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { TemporalConfig } from '../config';
import type { Logger } from '../logger';
import { installTemporalRuntime } from './runtime';

function tlsOptions(config: TemporalConfig) {
  if (config.TEMPORAL_TLS_CERT_PATH && config.TEMPORAL_TLS_KEY_PATH) {
    return {
      serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME,
      serverRootCACertificate: config.TEMPORAL_TLS_CA_PATH ? readFileSync(config.TEMPORAL_TLS_CA_PATH) : undefined,
      clientCertPair: {
        crt: readFileSync(config.TEMPORAL_TLS_CERT_PATH),
        key: readFileSync(config.TEMPORAL_TLS_KEY_PATH),
      },
    };
  }
  // An API key (Temporal Cloud) always travels over TLS.
  return config.TEMPORAL_API_KEY ? true : undefined;
}

function connectionOptions(config: TemporalConfig) {
  return { address: config.TEMPORAL_ADDRESS, tls: tlsOptions(config), apiKey: config.TEMPORAL_API_KEY };
}

export async function connectClient(config: TemporalConfig): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(config));
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}

/** For workers. Installs the SDK runtime first, so its logs go to `log` and signals stay with the caller. */
export async function connectWorkerConnection(config: TemporalConfig, log: Logger): Promise<NativeConnection> {
  installTemporalRuntime(log);
  return NativeConnection.connect(connectionOptions(config));
}
