// Two-factor sign-in to the console over real HTTP and Postgres: enrolment confirmed by a first code (the codes are
// computed from the secret the API answered, as an authenticator app would), the code after the password with the
// session unusable until then, single-use recovery codes, replays refused, wrong codes counted toward the sign-in
// lockout and ending the signing-in session, and the merchant admin's setting that makes it mandatory.
import { startApi } from '../../../api/serve';
import { base32Decode, totp } from '../../../lib/crypto/totp';
import { consoleSessionOf, consoleUser, CONSOLE_PASSWORD, signIn, type ConsoleSession } from '../../support/console';
import { httpClient } from '../../support/http';
import { createTestMerchant } from '../../support/merchants';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;
let merchant: { merchantId: string; apiKey: string };
let admin: ConsoleSession;
let secret: Buffer;
let recoveryCodes: string[];
const ADA = 'ada@twofactor-msp.example';
const now = () => Date.now() / 1000;

beforeAll(async () => {
  stack = await startTestStack({ roles: [] });
  merchant = await createTestMerchant(stack, 'Two Factor MSP');
  admin = await consoleUser(stack, merchant.merchantId, { email: ADA, role: 'admin' });
});
afterAll(() => stack.close());

const secondFactor = (session: ConsoleSession, code: string) => session.request('POST', '/v1/session/second-factor', { body: { code } });

it('enrols an authenticator app: a secret with its QR code, confirmed by a first code, then ten recovery codes once', async () => {
  expect(admin.stage).toBe('signed-in');
  const started = await admin.request('POST', '/v1/session/two-factor');
  expect(started.status).toBe(201);
  expect(started.body.qrCode).toMatch(/^data:image\/png;base64,/);
  expect(started.body.otpauthUri).toContain(`secret=${started.body.secret}`);
  secret = base32Decode(started.body.secret);
  // The secret is sealed at rest.
  const row = await stack.db.selectFrom('merchant_users').select(['totp_pending_sealed', 'totp_secret_sealed']).where('merchant_id', '=', merchant.merchantId).executeTakeFirstOrThrow();
  expect(row.totp_pending_sealed).not.toContain(started.body.secret);
  expect(row.totp_secret_sealed).toBeNull();

  const wrong = await admin.request('POST', '/v1/session/two-factor/confirm', { body: { code: totp(secret, now() + 300) } });
  expect(wrong).toMatchObject({ status: 401, body: { type: '/problems/invalid-code' } });
  const confirmed = await admin.request('POST', '/v1/session/two-factor/confirm', { body: { code: totp(secret, now()) } });
  expect(confirmed.status).toBe(201);
  recoveryCodes = confirmed.body.recoveryCodes;
  expect(recoveryCodes).toHaveLength(10);
  expect(new Set(recoveryCodes).size).toBe(10);
  // Hashed: no code is stored.
  const stored = await stack.db.selectFrom('merchant_user_recovery_codes').select('code_hash').execute();
  expect(stored.map((r) => r.code_hash.toString('hex'))).not.toContain(Buffer.from(recoveryCodes[0]).toString('hex'));
  expect((await admin.request('GET', '/v1/session')).body.twoFactor).toEqual({ enabled: true, requiredByMerchant: false, recoveryCodesLeft: 10 });
  // On already: enrolling again is refused (it would replace the secret the phone has).
  expect((await admin.request('POST', '/v1/session/two-factor')).status).toBe(409);
});

it('asks for the code after the password; the session opens nothing until then', async () => {
  const pending = await signIn(stack, ADA);
  expect(pending.stage).toBe('second-factor');
  expect(await pending.request('GET', '/v1/merchant')).toMatchObject({ status: 401, body: { detail: expect.stringMatching(/code of your authenticator app/) } });
  expect((await pending.request('GET', '/v1/session')).body.stage).toBe('second-factor');
  expect((await pending.request('POST', '/v1/session/two-factor')).status).toBe(409);

  // The code of the step after enrolment's (enrolment used this one).
  const code = totp(secret, now() + 30);
  const signedIn = await secondFactor(pending, code);
  expect(signedIn).toMatchObject({ status: 201, body: { stage: 'signed-in' } });
  const session = consoleSessionOf(stack, ADA, signedIn);
  // A new session id: the one from before the second factor is gone.
  expect(session.cookie).not.toBe(pending.cookie);
  expect((await pending.request('GET', '/v1/merchant')).status).toBe(401);
  expect(await session.request('GET', '/v1/merchant')).toMatchObject({ status: 200, body: { id: merchant.merchantId } });

  // The same code again, in another sign-in: refused (replay).
  const again = await signIn(stack, ADA);
  expect(await secondFactor(again, code)).toMatchObject({ status: 401, body: { type: '/problems/invalid-code' } });
});

it('signs in with a recovery code once', async () => {
  const pending = await signIn(stack, ADA);
  expect((await secondFactor(pending, recoveryCodes[3].toUpperCase())).status).toBe(201);
  const again = await signIn(stack, ADA);
  expect((await secondFactor(again, recoveryCodes[3])).status).toBe(401);
  expect((await secondFactor(again, recoveryCodes[4])).status).toBe(201);
  const session = consoleSessionOf(stack, ADA, await (async () => {
    const p = await signIn(stack, ADA);
    return secondFactor(p, recoveryCodes[5]);
  })());
  expect((await session.request('GET', '/v1/session')).body.twoFactor.recoveryCodesLeft).toBe(7);
});

it('ends a signing-in session after 5 wrong codes, and counts wrong codes toward the sign-in lockout', async () => {
  const pending = await signIn(stack, ADA);
  for (let i = 0; i < 4; i++) expect((await secondFactor(pending, '000000')).status).toBe(401);
  const fifth = await secondFactor(pending, '000000');
  expect(fifth).toMatchObject({ status: 401, body: { detail: expect.stringMatching(/sign in again/) } });
  expect((await pending.request('GET', '/v1/session')).status).toBe(401);

  // Wrong codes and wrong passwords share the account's limits: 3 failures, then even the right password is 429.
  const api = await startApi({ ...stack.apiDeps, authFailureLimits: { maxFailures: 3, windowMs: 60_000 } }, 0);
  try {
    const limited = httpClient(api.url);
    const first = await limited('POST', '/v1/session', { body: { email: ADA, password: CONSOLE_PASSWORD } });
    const session = consoleSessionOf({ ...stack, api: { ...stack.api!, url: api.url } } as TestStack, ADA, first);
    for (let i = 0; i < 3; i++) expect((await secondFactor(session, '111111')).status).toBe(401);
    const locked = await limited('POST', '/v1/session', { body: { email: ADA, password: CONSOLE_PASSWORD } });
    expect(locked).toMatchObject({ status: 429, body: { type: '/problems/too-many-failed-attempts' } });
  } finally {
    await api.close();
  }
});

it('lets a merchant admin make it mandatory: a user without it is held to enrolment after sign-in', async () => {
  const session = consoleSessionOf(stack, ADA, await secondFactor(await signIn(stack, ADA), recoveryCodes[6]));
  const billing = await consoleUser(stack, merchant.merchantId, { email: 'bill@twofactor-msp.example', role: 'billing', invitedBy: session });
  expect((await billing.request('PUT', '/v1/merchant/settings/console-two-factor', { body: { required: true } })).status).toBe(403);
  expect(await session.request('PUT', '/v1/merchant/settings/console-two-factor', { body: { required: true } })).toMatchObject({ status: 200, body: { required: true } });
  expect((await session.request('GET', '/v1/merchant/settings/console-two-factor')).body).toEqual({ required: true });

  const held = await signIn(stack, 'bill@twofactor-msp.example');
  expect(held.stage).toBe('enrolment');
  expect(await held.request('GET', '/v1/actions')).toMatchObject({ status: 401, body: { detail: expect.stringMatching(/requires two-factor/) } });
  const started = await held.request('POST', '/v1/session/two-factor');
  expect(started.status).toBe(201);
  const confirmed = await held.request('POST', '/v1/session/two-factor/confirm', { body: { code: totp(base32Decode(started.body.secret), now()) } });
  expect(confirmed.status).toBe(201);
  // Enrolled: this session opens now.
  expect((await held.request('GET', '/v1/actions')).status).toBe(200);
  expect((await held.request('GET', '/v1/session')).body).toMatchObject({ stage: 'signed-in', twoFactor: { enabled: true, requiredByMerchant: true } });
});
