// Secrets and payers' details never reach a log line: every path in REDACT_PATHS is censored, at the top level, one
// level down, and inside the HTTP client errors that are logged whole.
import { Writable } from 'node:stream';
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
