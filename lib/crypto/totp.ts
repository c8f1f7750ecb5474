// Time-based one-time passwords (RFC 6238, on HOTP of RFC 4226), the codes of authenticator apps, for the console's
// two-factor sign-in. Pure functions: the caller gives the time, and keeps the last time step used so a code is
// never accepted twice (db/merchant-users.ts). Secrets travel as base32 (RFC 4648, no padding), what the apps read
// from an otpauth:// URI.
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

export interface TotpOptions {
  /** Seconds per code; 30 is what every authenticator app assumes. */
  stepSeconds?: number;
  digits?: number;
  algorithm?: TotpAlgorithm;
}

const DEFAULTS: Required<TotpOptions> = { stepSeconds: 30, digits: 6, algorithm: 'sha1' };
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes base32, forgiving what people type: case, spaces, dashes and padding. Throws on another character. */
export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of clean) {
    const index = BASE32.indexOf(c);
    if (index < 0) throw new Error('not base32');
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new secret: 20 random bytes (160 bits, RFC 4226's recommendation for HMAC-SHA1). */
export function newTotpSecret(): Buffer {
  return randomBytes(20);
}

/** HOTP (RFC 4226): the code for one counter value, with leading zeros. */
export function hotp(secret: Uint8Array, counter: number, digits = DEFAULTS.digits, algorithm: TotpAlgorithm = DEFAULTS.algorithm): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(message).digest();
  // Dynamic truncation: four bytes at the offset the last nibble names, top bit cleared.
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The time step a moment falls in. */
export function totpStep(unixSeconds: number, stepSeconds = DEFAULTS.stepSeconds): number {
  return Math.floor(unixSeconds / stepSeconds);
}

export function totp(secret: Uint8Array, unixSeconds: number, options: TotpOptions = {}): string {
  const o = { ...DEFAULTS, ...options };
  return hotp(secret, totpStep(unixSeconds, o.stepSeconds), o.digits, o.algorithm);
}

/**
 * The time step whose code `code` is, looking `window` steps either side of now (a phone's clock drifts and a person
 * types slowly), or undefined. Only steps after `afterStep` count: a code already used (or an older one) is refused.
 */
export function verifyTotp(secret: Uint8Array, code: string, unixSeconds: number, opts: TotpOptions & { window?: number; afterStep?: number } = {}): number | undefined {
  const o = { ...DEFAULTS, ...opts };
  const window = opts.window ?? 1;
  const given = code.replace(/\s/g, '');
  if (!new RegExp(`^\\d{${o.digits}}$`).test(given)) return undefined;
  const now = totpStep(unixSeconds, o.stepSeconds);
  let found: number | undefined;
  // Every candidate is compared (no early return), in constant time each.
  for (let step = now - window; step <= now + window; step++) {
    if (step < 0 || (opts.afterStep !== undefined && step <= opts.afterStep)) continue;
    const expected = hotp(secret, step, o.digits, o.algorithm);
    if (timingSafeEqual(Buffer.from(expected), Buffer.from(given)) && found === undefined) found = step;
  }
  return found;
}

/** What an authenticator app scans: otpauth://totp/Issuer:account?secret=…&issuer=… (Google's Key Uri Format). */
export function otpauthUri(secret: Uint8Array, issuer: string, account: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({ secret: base32Encode(secret), issuer, algorithm: 'SHA1', digits: String(DEFAULTS.digits), period: String(DEFAULTS.stepSeconds) });
  return `otpauth://totp/${label}?${query}`;
}

const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/**
 * A recovery code: 16 characters in four groups (xxxx-xxxx-xxxx-xxxx) from an alphabet without look-alikes, about
 * 79 bits: random enough that a fast hash stores it safely. Read back with `normalizeRecoveryCode`.
 */
export function newRecoveryCode(): string {
  // randomInt: uniform over the alphabet (a byte modulo 31 would favour some letters).
  const chars = Array.from({ length: 16 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

/** A recovery code as typed (any case, spaces or dashes) to its canonical form; undefined if it cannot be one. */
export function normalizeRecoveryCode(typed: string): string | undefined {
  const clean = typed.toLowerCase().replace(/[\s-]/g, '');
  if (clean.length !== 16 || [...clean].some((c) => !RECOVERY_ALPHABET.includes(c))) return undefined;
  return [0, 4, 8, 12].map((i) => clean.slice(i, i + 4)).join('-');
}
