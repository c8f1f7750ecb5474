// The run's leak check (test/global-teardown.ts) can fail: planted leaks are found, reported where they are, and
// never printed in full; what is allowed in clear passes.
import { randomBytes } from 'node:crypto';
import { describeLeaks, findLeaks, mask, scanLogText, scanTable } from '../support/leak-scan';

const planted = {
  merchantKey: `sk_${randomBytes(32).toString('base64url')}`,
  cpqKey: `cpq_${randomBytes(32).toString('base64url')}`,
  adminKey: `admin-${randomBytes(24).toString('hex')}`,
  opsToken: `ops-${randomBytes(24).toString('hex')}`,
  accessToken: `at_${randomBytes(16).toString('hex')}`,
  refreshToken: `rt_${randomBytes(16).toString('hex')}`,
  stripeKey: 'sk_test_51PlantedSecretKey0000',
  webhookSecret: `whsec_${randomBytes(24).toString('base64url')}`,
};

it('finds every secret format, test password and email address in a value', () => {
  const text = `${Object.values(planted).join(' | ')} | correct horse battery staple | dana+x1@contoso.example`;
  const kinds = findLeaks(text, 'here').map((l) => l.kind).sort();
  expect(kinds).toEqual([
    'CPQ API key', 'OAuth access token', 'OAuth refresh token', 'Stripe secret key', 'admin API key', 'email address',
    'merchant API key', 'ops token', 'password', 'webhook signing secret',
  ]);
});

it('leaves alone what may be stored in clear: key prefixes, ids, hashes, sealed values', () => {
  const clear = [planted.merchantKey.slice(0, 10), 'pyr_01J9ZK3', 'v1.test.AbCdEf0123456789+/==', 'pi_3PlantedIntent_secret_x', '\\x89\\xa1deadbeef'];
  for (const value of clear) expect(findLeaks(value, 'here')).toEqual([]);
});

it('finds sealed secrets and payer names given as needles', () => {
  const checkout = randomBytes(24).toString('base64url');
  expect(findLeaks(`/pay/${checkout}`, 'x', { secrets: [checkout] })).toMatchObject([{ kind: 'sealed secret in clear' }]);
  expect(findLeaks('declined for Dana Payer', 'x', { names: ['Dana Payer'] })).toMatchObject([{ kind: 'payer name' }]);
  expect(findLeaks('{"name":"Eve","role":"admin"}', 'x', { names: ['Eve'] })).toMatchObject([{ kind: 'payer name' }]);
  // A short name spelled by chance inside a random id is not that name.
  expect(findLeaks('"eventId":"evt_Twu0A9IEveLD8xwxrYSwd3L8"', 'x', { names: ['Eve'] })).toEqual([]);
});

it('names the table, column and row of a leak in a database, and masks the value', () => {
  const leaks = scanTable('settle_test_1', {
    table: 'merchant_actions',
    columns: ['kind', 'detail'],
    idColumn: 'id',
    rows: [
      { id: 'act_1', kind: 'payment-failed', detail: 'nothing personal' },
      { id: 'act_2', kind: 'payment-failed', detail: `card declined for dana@contoso.example (key ${planted.merchantKey})` },
    ],
  });
  expect(leaks.map((l) => [l.kind, l.where])).toEqual([
    ['merchant API key', 'settle_test_1: merchant_actions.detail (id act_2)'],
    ['email address', 'settle_test_1: merchant_actions.detail (id act_2)'],
  ]);
  const message = describeLeaks(leaks);
  expect(message).toContain('merchant_actions.detail');
  expect(message).not.toContain(planted.merchantKey);
  expect(message).not.toContain('dana@contoso.example');
});

it('honours an allowance for one column only', () => {
  const allowances = [{ table: 't', column: 'a', kind: 'email address', why: 'test' }];
  const rows = [{ a: 'x@y.example', b: 'x@y.example' }];
  expect(scanTable('db', { table: 't', columns: ['a', 'b'], rows }, {}, allowances).map((l) => l.where)).toEqual(['db: t.b']);
});

it('reads log files at info level and above, JSON or not, and names the line', () => {
  const lines = [
    JSON.stringify({ level: 20, msg: 'debug may name dana@contoso.example' }),
    JSON.stringify({ level: 30, msg: 'request', route: '/v1/payments' }),
    JSON.stringify({ level: 30, msg: 'pay now: payer registered', payer: 'Pat Payer' }),
    JSON.stringify({ level: 50, msg: 'failed', err: { message: `refresh ${planted.refreshToken} for ap@obrien.example` } }),
    `Try it: curl -H "authorization: Bearer ${planted.merchantKey}"`,
    'contact ops@msp.example',
  ].join('\n');
  const leaks = scanLogText('worker-1.log', lines, { names: ['Pat Payer'] });
  expect(leaks.map((l) => [l.kind, l.where])).toEqual([
    ['payer name', 'worker-1.log:3'],
    ['OAuth refresh token', 'worker-1.log:4'],
    ['email address', 'worker-1.log:4'],
    // a dev tool's console banner may print the sandbox key; never an email
    ['email address', 'worker-1.log:6'],
  ]);
});

it("allows only the listed console output: npm start's example request, in its own files", () => {
  const banner = `curl … -d '{"customer":{"name":"Dana","email":"dana@contoso.example"}}'`;
  expect(scanLogText('process-start-1-2.log', banner)).toEqual([]);
  expect(scanLogText('process-run-worker-1-2.log', banner)).toMatchObject([{ kind: 'email address' }]);
  const logLine = JSON.stringify({ level: 30, msg: 'x', email: 'dana@contoso.example' });
  expect(scanLogText('process-start-1-2.log', logLine)).toMatchObject([{ kind: 'email address' }]);
});

it('masks: a few leading characters and the length', () => {
  expect(mask('dana@contoso.example')).toBe('dana…[20 chars]');
  expect(mask('abc')).toBe('…[3 chars]');
});
