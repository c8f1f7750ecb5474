// Workflow histories hold no personal data or secrets in clear: every payload Settle's clients and workers send to
// Temporal (workflow and activity inputs and results, signals, updates, queries, memos) is sealed with AES-256-GCM
// under the current key of SETTLE_ENCRYPTION_KEYS, the key id in the payload's metadata so any key still in the
// keyring opens it after a rotation. The codec runs outside the workflow sandbox (in the client and the worker's
// main thread), so node:crypto is fine here.
//
// Failures too: their message and stack trace (which can quote inputs, a customer's name in a refusal) are moved
// into a payload by the failure converter (failure-converter.ts), so the codec seals them like any other payload and
// the history shows only "Encoded failure". Workflow code converts failures inside the sandbox, so the bundle must be
// built with the same converter: every bundle passes FAILURE_CONVERTER_PATH to bundleWorkflowCode (a Worker given a
// prebuilt workflowBundle silently ignores dataConverter.failureConverterPath).
//
// Search attributes are not payloads the codec sees (Temporal must index them): they hold only ids and amounts.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import type { Keyring } from '../crypto/sealed-box';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);
const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');
// The ciphertext is bound to its key id: a payload whose metadata was edited to name another key will not open.
const aad = (keyId: string) => Buffer.from(`settle-payload:${keyId}`);

// The sealed plaintext is the payload in Temporal's own JSON form ({metadata: {k: base64}, data: base64}) rather than
// its protobuf bytes: it needs no direct dependency on @temporalio/proto and nothing but this codec ever reads it.
function serialise(payload: Payload): Buffer {
  const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, b64(v)]));
  return Buffer.from(JSON.stringify({ metadata, data: b64(payload.data) }));
}

function deserialise(bytes: Buffer): Payload {
  const json = JSON.parse(bytes.toString('utf8')) as { metadata: Record<string, string>; data: string };
  const metadata = Object.fromEntries(Object.entries(json.metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]));
  return { metadata, data: new Uint8Array(Buffer.from(json.data, 'base64')) };
}

export function isEncryptedPayload(payload: Payload): boolean {
  return text(payload.metadata?.encoding) === ENCRYPTED_ENCODING;
}

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.keyring.currentKeyId;
    const key = this.keyring.keys.get(keyId)!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad(keyId));
      const sealed = Buffer.concat([iv, cipher.update(serialise(payload)), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(keyId) }, data: new Uint8Array(sealed) };
    });
  }

  /** Payloads that were never encrypted (histories from before the codec) pass through unchanged. */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (!isEncryptedPayload(payload)) return payload;
      const keyId = text(payload.metadata?.[KEY_ID_METADATA]) ?? '';
      const key = this.keyring.keys.get(keyId);
      if (!key) throw new Error(`payload encrypted with key "${keyId}", which is not in SETTLE_ENCRYPTION_KEYS`);
      const sealed = Buffer.from(payload.data ?? new Uint8Array());
      if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('encrypted payload is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      decipher.setAAD(aad(keyId));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return deserialise(Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]));
    });
  }
}

/** The module exporting Settle's `failureConverter`, for the data converter and for every workflow bundle. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/** The data converter of every Temporal client and worker in Settle (one place, so none is left without it). */
export function settleDataConverter(keyring: Keyring): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keyring)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
