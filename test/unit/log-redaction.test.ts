// Secrets and payers' details never reach a log line: every path in REDACT_PATHS is censored, at the top level, one
// level down, and inside the HTTP client errors that are logged whole.
import { Writable } from 'node:stream';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { createLogger } from '../../lib/logger';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({ write(chunk, _enc, done) { lines.push(chunk.toString()); done(); } });
  return { log: createLogger({ level: 'debug', destination }), output: () => lines.join('') };
}

const SECRETS = {
  bearer: 'Bearer sk_live_bearer_7f3a9c',
  apiKey: 'sk_live_apikey_21be5d',
  token: 'tok_checkout_9e1f',
  refresh: 'rt_refresh_55aa01',
  access: 'at_access_66bb02',
  privateKey: '-----BEGIN PRIVATE KEY-----MIIEv',
  clientSecret: 'cs_client_secret_77cc03',
  signing: 'whsec_signing_88dd04',
  email: 'dana.whitlock@contoso.example',
  phone: '+61 400 123 456',
  password: 'correct horse battery staple',
  cookie: 'settle_pay_session=v1.sealed.value',
};

it('censors secrets at the top level and one level down', () => {
  const { log, output } = capture();
  log.info({ authorization: SECRETS.bearer, apiKey: SECRETS.apiKey, token: SECRETS.token, password: SECRETS.password, email: SECRETS.email }, 'top');
  log.info({ connection: { refresh_token: SECRETS.refresh, access_token: SECRETS.access, clientSecret: SECRETS.clientSecret } }, 'nested');
  log.warn({ settings: { privateKey: SECRETS.privateKey, signingSecret: SECRETS.signing }, payer: { email: SECRETS.email, phone: SECRETS.phone } }, 'nested');
  log.info({ req: { headers: { authorization: SECRETS.bearer, cookie: SECRETS.cookie, 'x-api-key': SECRETS.apiKey } } }, 'request');
  const text = output();
  for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
  expect(text).toContain('[redacted]');
  expect(text).toContain('"msg":"nested"'); // the line itself is still written
});

it('censors the request headers and bodies inside logged HTTP client errors', () => {
  const { log, output } = capture();
  // The shape of an axios error (xero-node) and of a Stripe error: both keep the request they failed on.
  const axiosError = Object.assign(new Error('Request failed with status code 401'), {
    config: { headers: { Authorization: SECRETS.bearer }, data: `grant_type=refresh_token&refresh_token=${SECRETS.refresh}` },
    response: { status: 401, config: { headers: { Authorization: SECRETS.bearer }, data: SECRETS.refresh } },
  });
  const stripeError = Object.assign(new Error('Invalid API Key provided'), { headers: { authorization: SECRETS.bearer }, raw: { headers: { authorization: SECRETS.bearer } } });
  log.error({ err: axiosError }, 'token refresh failed');
  log.error({ err: stripeError }, 'stripe failed');
  log.warn({ error: axiosError }, 'activity failed'); // how the Temporal SDK names it
  const text = output();
  for (const secret of [SECRETS.bearer, SECRETS.refresh]) expect(text).not.toContain(secret);
  expect(text).toContain('Request failed with status code 401'); // what went wrong is kept
});

it("says what an error was — type, message, code, the Temporal failure's fields and its causes — never `{}` and never its payloads", () => {
  const { log, output } = capture();
  const refused = Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:1 for ${SECRETS.email}`), { code: 'ECONNREFUSED' });
  const application = ApplicationFailure.create({ message: 'the Manage connection is unreachable', type: 'RemoteUnavailable', nonRetryable: false,
    details: [{ customer: 'Quillon Marchetti', password: SECRETS.password }], cause: refused });
  const activity = new ActivityFailure('Activity task failed', 'fetchManageAgreements', 'act-7', RetryState.MAXIMUM_ATTEMPTS_REACHED, 'worker-1', application);
  log.warn({ error: activity }, 'activity failed');
  const line = JSON.parse(output().trim());
  expect(line.error).toMatchObject({
    type: 'ActivityFailure', activityType: 'fetchManageAgreements', activityId: 'act-7',
    cause: { type: 'ApplicationFailure', failureType: 'RemoteUnavailable', nonRetryable: false, message: 'the Manage connection is unreachable',
      cause: { type: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1 for [email]' } },
  });
  expect(line.error.stack).toMatch(/^at /);
  const text = output();
  for (const hidden of ['Quillon Marchetti', SECRETS.password, SECRETS.email]) expect(text).not.toContain(hidden);
});
