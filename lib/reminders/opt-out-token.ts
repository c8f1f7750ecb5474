// The signed link in each reminder that lets the payer stop reminders: a keyed hash (HMAC-SHA256, a key derived from
// each encryption key, as the blind index does) of the merchant and payer, so the link names the payer without a
// database row per email and cannot be forged for another payer. Verified under every key in the keyring, so links in
// emails sent before a key rotation keep working.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Keyring } from '../crypto/sealed-box';

function macKey(key: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'settle reminder opt-out v1', 32));
}

function mac(keyring: Keyring, keyId: string, merchantId: string, payerId: string): string {
  return createHmac('sha256', macKey(keyring.keys.get(keyId)!)).update(`${merchantId}\n${payerId}`).digest('base64url');
}

/** `{payerId}.{keyId}.{mac}`: URL-safe. */
export function optOutToken(keyring: Keyring, merchantId: string, payerId: string): string {
  return `${payerId}.${keyring.currentKeyId}.${mac(keyring, keyring.currentKeyId, merchantId, payerId)}`;
}

/** The payer the token names, when it was made by Settle for this merchant; undefined otherwise. */
export function payerOfOptOutToken(keyring: Keyring, merchantId: string, token: string): string | undefined {
  const [payerId, keyId, given, ...rest] = token.split('.');
  if (rest.length || !payerId || !keyId || !given || !keyring.keys.has(keyId)) return undefined;
  const expected = Buffer.from(mac(keyring, keyId, merchantId, payerId));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? payerId : undefined;
}

/** The opt-out page's address for a payer (built here only, beside the Pay Now links). */
export function optOutUrl(publicUrl: string, merchantId: string, token: string): string {
  return `${publicUrl.replace(/\/$/, '')}/pay/m/${merchantId}/reminders/opt-out?t=${encodeURIComponent(token)}`;
}
