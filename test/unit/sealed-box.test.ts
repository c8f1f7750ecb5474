import fc from 'fast-check';
import { newKeyringText, open, parseKeyring, seal, sealedKeyId } from '../../lib/crypto/sealed-box';

const keyring = parseKeyring(`${newKeyringText('k2')},${newKeyringText('k1')}`);

it('opens what it sealed, for any text', () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), (text, aad) => {
      expect(open(keyring, seal(keyring, text, aad), aad)).toBe(text);
    }),
  );
});

it('seals with the current key and keeps no plaintext', () => {
  const sealed = seal(keyring, 'refresh-token-secret');
  expect(sealedKeyId(sealed)).toBe('k2');
  expect(sealed).not.toContain('refresh-token-secret');
  expect(seal(keyring, 'same')).not.toBe(seal(keyring, 'same')); // fresh IV every time
});

it('opens values sealed with an older key after rotation', () => {
  const old = parseKeyring(`k1:${keyring.keys.get('k1')!.toString('base64')}`);
  const sealedWithOld = seal(old, 'written before rotation');
  expect(open(keyring, sealedWithOld)).toBe('written before rotation');
});

it('refuses tampering, a moved ciphertext and unknown keys', () => {
  const sealed = seal(keyring, 'secret', 'row-1');
  expect(() => open(keyring, sealed, 'row-2')).toThrow();
  const parts = sealed.split('.');
  parts[4] = Buffer.from('x' + Buffer.from(parts[4], 'base64url').toString('latin1')).toString('base64url');
  expect(() => open(keyring, parts.join('.'), 'row-1')).toThrow();
  expect(() => open(parseKeyring(newKeyringText('k9')), sealed, 'row-1')).toThrow(/key k2/);
});

it.each([
  ['', 'at least one key'],
  ['k1', 'id:base64key'],
  ['k1:c2hvcnQ=', '32 bytes'],
  [`k1:${Buffer.alloc(32).toString('base64')},k1:${Buffer.alloc(32).toString('base64')}`, 'twice'],
])('rejects the keyring %j', (text, message) => {
  expect(() => parseKeyring(text)).toThrow(message);
});
