// Console users for tests, made the way people get them: created (or invited) through the API, the set-password link
// taken from the invitation email in the outbox, the password set through the API, then a sign-in. The answer carries
// the session cookie and the CSRF token, and a client that sends both.
import { listOutboxEmails } from '../../db/outbox';
import { httpClient } from './http';
import type { TestStack } from './stack';

export const CONSOLE_PASSWORD = 'correct horse battery staple';

export interface ConsoleSession {
  email: string;
  /** 'signed-in', or still signing in: 'second-factor' (send a code) or 'enrolment' (the merchant requires 2FA). */
  stage: string;
  cookie: string;
  csrfToken: string;
  /** Requests with the session cookie (no API key) and, on writes, X-CSRF-Token and the API's own Origin. */
  request: ReturnType<typeof httpClient>;
}

/** The set-password token of the newest invitation sent to `email`. */
export async function invitationToken(stack: TestStack, merchantId: string, email: string): Promise<string> {
  const emails = await listOutboxEmails(stack.db, stack.apiDeps.keyring, merchantId);
  const invitation = emails.find((e) => e.template === 'console-invitation' && e.to === email);
  const token = invitation && /#token=([A-Za-z0-9_-]+)/.exec(invitation.text)?.[1];
  if (!token) throw new Error(`no console invitation to ${email}`);
  return token;
}

export function sessionCookieOf(response: { headers: Headers }): string {
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('settle_session='));
  if (!cookie) throw new Error('no session cookie was set');
  return cookie.split(';')[0];
}

export async function signIn(stack: TestStack, email: string, password = CONSOLE_PASSWORD): Promise<ConsoleSession> {
  const base = stack.api!.url;
  const response = await httpClient(base)('POST', '/v1/session', { body: { email, password } });
  if (response.status !== 201) throw new Error(`sign-in failed: ${response.status} ${JSON.stringify(response.body)}`);
  return consoleSessionOf(stack, email, response);
}

/** The session a sign-in answer opened: its cookie, CSRF token and stage, with a client that sends them. */
export function consoleSessionOf(stack: TestStack, email: string, response: { headers: Headers; body: any }): ConsoleSession {
  const base = stack.api!.url;
  const cookie = sessionCookieOf(response);
  const csrfToken: string = response.body.csrfToken;
  const plain = httpClient(base);
  const request: ConsoleSession['request'] = (method, path, opts = {}) => plain(method, path, {
    ...opts, key: null,
    headers: { cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': csrfToken, origin: new URL(base).origin }), ...opts.headers },
  });
  return { email, stage: response.body.stage, cookie, csrfToken, request };
}

/**
 * A console user of the merchant, with a password set and signed in. The first admin (or a platform admin) is created
 * with the admin key, the others invited by `invitedBy`.
 */
export async function consoleUser(stack: TestStack, merchantId: string,
  opts: { email: string; role: 'admin' | 'billing'; invitedBy?: ConsoleSession; platformAdmin?: boolean }): Promise<ConsoleSession> {
  const name = opts.platformAdmin ? 'Pat Platform' : opts.role === 'admin' ? 'Ada Admin' : 'Bill Billing';
  const created = opts.invitedBy
    ? await opts.invitedBy.request('POST', '/v1/users', { body: { email: opts.email, name, role: opts.role } })
    : await httpClient(stack.api!.url)('POST', `/v1/admin/merchants/${merchantId}/users`, { key: stack.apiDeps.adminApiKey, body: { email: opts.email, name, ...(opts.platformAdmin ? { platformAdmin: true } : {}) } });
  if (created.status !== 201) throw new Error(`creating a console user failed: ${created.status} ${JSON.stringify(created.body)}`);
  const token = await invitationToken(stack, merchantId, opts.email);
  const set = await httpClient(stack.api!.url)('POST', '/v1/session/password', { body: { token, password: CONSOLE_PASSWORD } });
  if (set.status !== 204) throw new Error(`setting the password failed: ${set.status} ${JSON.stringify(set.body)}`);
  return signIn(stack, opts.email);
}
