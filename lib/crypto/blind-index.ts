// Finding a sealed value again without storing it in clear: a keyed hash (HMAC-SHA256) of the normalised value,
// under a key derived from each encryption key. Stored as `keyId:hex`; a lookup tries every key in the keyring,
// so values indexed before a key rotation are still found (the re-encryption command re-indexes them).
import { createHmac, hkdfSync } from 'node:crypto';
import type { Keyring } from './sealed-box';

function indexKey(key: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'settle blind index v1', 32));
}

/** The index to store: under the current key. */
export function blindIndex(keyring: Keyring, value: string): string {
  return indexWith(keyring, keyring.currentKeyId, value);
}

/** Every index the value may have been stored under (one per key in the keyring). */
export function blindIndexCandidates(keyring: Keyring, value: string): string[] {
  return [...keyring.keys.keys()].map((keyId) => indexWith(keyring, keyId, value));
}

function indexWith(keyring: Keyring, keyId: string, value: string): string {
  const hmac = createHmac('sha256', indexKey(keyring.keys.get(keyId)!)).update(value.trim().toLowerCase()).digest('hex');
  return `${keyId}:${hmac}`;
}
