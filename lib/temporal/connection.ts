// Connections to Temporal from configuration: a local dev server, a self-hosted cluster or Temporal Cloud.
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { TemporalConfig } from '../config';
import type { Keyring } from '../crypto/sealed-box';
import type { Logger } from '../logger';
import { settleDataConverter } from './payload-codec';
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

/** `keyring` encrypts what the client sends to Temporal and decrypts what it reads (lib/temporal/payload-codec.ts). */
export async function connectClient(config: TemporalConfig, keyring: Keyring): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(config));
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: settleDataConverter(keyring) });
}

/** For workers. Installs the SDK runtime first, so its logs go to `log` and signals stay with the caller. */
export async function connectWorkerConnection(config: TemporalConfig, log: Logger): Promise<NativeConnection> {
  installTemporalRuntime(log);
  return NativeConnection.connect(connectionOptions(config));
}
