// TOTP against the test vectors of RFC 6238 (appendix B) and HOTP's of RFC 4226 (appendix D), then properties.
import fc from 'fast-check';
import {
  base32Decode, base32Encode, hotp, newRecoveryCode, normalizeRecoveryCode, otpauthUri, totp, verifyTotp, type TotpAlgorithm,
} from '../../lib/crypto/totp';

// RFC 6238's seeds: the ASCII digits repeated to the hash's length (its appendix A code does so).
const SEEDS: Record<TotpAlgorithm, Buffer> = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};

// RFC 6238 appendix B: time, then the 8-digit codes for SHA1, SHA256, SHA512.
const RFC6238: Array<[number, string, string, string]> = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

it.each(RFC6238)('gives RFC 6238 codes at T=%i', (time, sha1, sha256, sha512) => {
  expect(totp(SEEDS.sha1, time, { digits: 8, algorithm: 'sha1' })).toBe(sha1);
  expect(totp(SEEDS.sha256, time, { digits: 8, algorithm: 'sha256' })).toBe(sha256);
  expect(totp(SEEDS.sha512, time, { digits: 8, algorithm: 'sha512' })).toBe(sha512);
});

it('gives RFC 4226 HOTP codes for counters 0-9', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  expect(expected.map((_, counter) => hotp(SEEDS.sha1, counter))).toEqual(expected);
});

it('verifies a code within one step either side, and says which step it was', () => {
  const t = 1111111111;
  const step = Math.floor(t / 30);
  const code = totp(SEEDS.sha1, t);
  expect(verifyTotp(SEEDS.sha1, code, t)).toBe(step);
  expect(verifyTotp(SEEDS.sha1, code, t + 30)).toBe(step);
  expect(verifyTotp(SEEDS.sha1, code, t - 30)).toBe(step);
  expect(verifyTotp(SEEDS.sha1, code, t + 90)).toBeUndefined();
  expect(verifyTotp(SEEDS.sha1, ` ${code.slice(0, 3)} ${code.slice(3)} `, t)).toBe(step);
});

it('refuses a code of a step already used (replay), and malformed codes', () => {
  const t = 1234567890;
  const code = totp(SEEDS.sha1, t);
  const step = verifyTotp(SEEDS.sha1, code, t)!;
  expect(verifyTotp(SEEDS.sha1, code, t, { afterStep: step })).toBeUndefined();
  expect(verifyTotp(SEEDS.sha1, code, t, { afterStep: step - 1 })).toBe(step);
  for (const bad of ['', '12345', '1234567', 'abcdef', '12345a']) expect(verifyTotp(SEEDS.sha1, bad, t)).toBeUndefined();
});

it('round-trips any bytes through base32, and decodes RFC 4648 vectors', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
    expect([...base32Decode(base32Encode(bytes))]).toEqual([...bytes]);
  }));
  expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
  expect(base32Decode('mzxw 6ytb-oi======').toString()).toBe('foobar');
  expect(() => base32Decode('MZXW1')).toThrow('not base32');
});

it('accepts its own code at any time and a wrong code almost never (property)', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.integer({ min: 30, max: 4_000_000_000 }), (secret, time) => {
    const code = totp(secret, time);
    expect(code).toMatch(/^\d{6}$/);
    const step = verifyTotp(secret, code, time, { window: 0 });
    expect(step).toBe(Math.floor(time / 30));
    // Once used, never again at the same time.
    expect(verifyTotp(secret, code, time, { afterStep: step })).toBeUndefined();
  }));
});

it('writes the otpauth URI authenticator apps scan', () => {
  const uri = new URL(otpauthUri(SEEDS.sha1, 'Settle', 'ada@msp.example'));
  expect(uri.protocol).toBe('otpauth:');
  expect(uri.host).toBe('totp');
  expect(decodeURIComponent(uri.pathname)).toBe('/Settle:ada@msp.example');
  expect(uri.searchParams.get('secret')).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  expect(uri.searchParams.get('issuer')).toBe('Settle');
});

it('makes recovery codes that read back in any case and spacing, and refuses others', () => {
  const codes = new Set(Array.from({ length: 200 }, newRecoveryCode));
  expect(codes.size).toBe(200);
  for (const code of codes) {
    expect(code).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect(normalizeRecoveryCode(code.toUpperCase().replace(/-/g, ' '))).toBe(code);
  }
  expect(normalizeRecoveryCode('0000-0000-0000-0000')).toBeUndefined();
  expect(normalizeRecoveryCode('abcd-efgh')).toBeUndefined();
});
