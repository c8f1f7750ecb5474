// Identifiers: a short type prefix and random hex, so an id says what it names (mer_…, key_…, pay_…).
import { createHash, randomBytes } from 'node:crypto';

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

/** The same id for the same parts, always: for ids derived from an idempotency key. */
export function derivedId(prefix: string, ...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return `${prefix}_${hash.digest('hex').slice(0, 24)}`;
}
