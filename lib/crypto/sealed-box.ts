// Encryption at rest for secrets and personal data: AES-256-GCM, with the id of the key stored beside the
// ciphertext so keys can rotate (new writes use the current key; older keys still decrypt).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface Keyring {
  /** The key new values are sealed with. */
  currentKeyId: string;
  keys: Map<string, Buffer>;
}

const FORMAT = 'v1';

/**
 * Parses `SETTLE_ENCRYPTION_KEYS`: comma-separated `id:base64key` pairs, each key 32 bytes; the first is current.
 * Throws a message naming the problem (never the key).
 */
export function parseKeyring(text: string): Keyring {
  const keys = new Map<string, Buffer>();
  let currentKeyId = '';
  for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [id, encoded] = entry.split(':');
    if (!id || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || !encoded) throw new Error('each key must be written id:base64key');
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32) throw new Error(`key ${id} must be 32 bytes (base64 of 32 random bytes)`);
    if (keys.has(id)) throw new Error(`key id ${id} appears twice`);
    keys.set(id, key);
    currentKeyId ||= id;
  }
  if (!currentKeyId) throw new Error('at least one key is required');
  return { currentKeyId, keys };
}

export function newKeyringText(id = 'k1'): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/** `associatedData` binds a ciphertext to its place (e.g. a row id): moved elsewhere, it will not open. */
export function seal(keyring: Keyring, plaintext: string, associatedData = ''): string {
  const key = keyring.keys.get(keyring.currentKeyId)!;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [FORMAT, keyring.currentKeyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

export function open(keyring: Keyring, sealed: string, associatedData = ''): string {
  const [format, keyId, iv, tag, ciphertext] = sealed.split('.');
  if (format !== FORMAT || ciphertext === undefined) throw new Error('not a sealed value');
  const key = keyring.keys.get(keyId);
  if (!key) throw new Error(`sealed with key ${keyId}, which is not in the keyring`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(associatedData));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}

/** The key id a sealed value was written with (for re-encryption after a rotation). */
export function sealedKeyId(sealed: string): string {
  return sealed.split('.')[1];
}
