// The merchant console's people: sign-in and sign-out (a session cookie, api/middleware/session.ts), the password set
// from an invitation, and the users of a merchant — its first admin created by a platform admin, the others invited by
// a merchant admin. Every invitation is an email through the outbox with a single-use set-password link.
import type { Context } from 'koa';
import { z } from 'zod';
import {
  authenticateMerchantUser, closeSession, createMerchantUser, INVITATION_TTL_MS, listMerchantUsers, merchantUserDetails,
  MerchantUserExists, openSession, SESSION_IDLE_MS, sessionState, setMerchantUserPassword, type SessionState,
} from '../../db/merchant-users';
import { hasTwoFactor, recoveryCodesLeft, twoFactorRequired } from '../../db/console-two-factor';
import { findMerchant } from '../../db/merchants';
import { enqueueEmail } from '../../db/outbox';
import type { MerchantUser, MerchantUserRole, SessionStage } from '../../db/schema';
import type { Db } from '../../db/database';
import { consoleInvitationTemplate } from '../../lib/mail/templates';
import type { ApiDeps } from '../deps';
import type { AuthFailureLimiter } from '../middleware/auth-failures';
import { clearSessionCookie, csrfTokenFor, refuseForeignOrigin, refuseForgedWrite, sessionCookie, setSessionCookie } from '../middleware/session';
import { notFound, ProblemError } from '../problem';
import { defineRoute } from '../routing';
import { merchantIdParam, plainText } from '../schemas';

export const CONSOLE_INVITATION_TEMPLATE = 'console-invitation';

/** Failed sign-ins of one console account, from every address, after which it refuses before checking (per window). */
export const ACCOUNT_LIMIT = 50;
/** What the sign-in limits count a console account's failures under (password and second factor alike). */
export const signInTarget = (email: string) => `console-user:${email.trim().toLowerCase()}`;
const MIN_PASSWORD = 12;

const roleEnum = z.enum(['admin', 'billing']);
const userView = z.object({ id: z.string(), merchantId: z.string(), email: z.string(), name: z.string(), role: roleEnum,
  platformAdmin: z.boolean().describe('A Settle platform admin (made only through the platform admin API): may turn multi-connection on or off'),
  passwordSet: z.boolean(), createdAt: z.string() });
export const sessionView = z.object({
  user: userView,
  merchant: z.object({ id: z.string(), name: z.string() }),
  csrfToken: z.string().describe('Send it back in X-CSRF-Token on every write made with the session cookie.'),
  idleTimeoutSeconds: z.number(),
  stage: z.enum(['signed-in', 'second-factor', 'enrolment'])
    .describe("signed-in: the session opens the console. second-factor: send a code (POST /v1/session/second-factor). enrolment: the merchant requires two-factor sign-in; enrol first (POST /v1/session/two-factor)"),
  twoFactor: z.object({ enabled: z.boolean(), requiredByMerchant: z.boolean(), recoveryCodesLeft: z.number().int() }),
  temporal: z.object({ uiUrl: z.string().nullable(), namespace: z.string() }).describe("Where a payment's workflow can be opened (the Temporal Web UI)"),
});
const email = z.string().trim().max(254).regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an email address');
const password = z.string().min(MIN_PASSWORD, `must be at least ${MIN_PASSWORD} characters`).max(200);

export function consoleUserRoutes(deps: ApiDeps, limiter: AuthFailureLimiter) {
  const view = userViewOf(deps);
  const sessionBody = sessionBodyOf(deps);
  const invite = (merchantId: string, body: { email: string; name: string; role: MerchantUserRole; platformAdmin?: boolean }) => inviteUser(deps, merchantId, body);

  return [
    defineRoute({
      method: 'post', path: '/v1/session', operationId: 'signIn', summary: 'Sign in to the console: sets the session cookie (HttpOnly, SameSite=Lax)', tag: 'console', auth: 'none',
      body: z.object({ email, password: z.string().max(200) }),
      responses: {
        201: { description: 'Signed in (see stage: a user with two-factor sign-in sends a code next)', schema: sessionView },
        401: { description: 'Email or password wrong' },
        403: { description: 'Sent from another origin' },
        429: { description: 'Too many failed sign-ins; see Retry-After' },
      },
      handler: async ({ body, ctx }) => {
        refuseForeignOrigin(ctx);
        // The email is the target: the limiter keeps a hash of it, never the address itself.
        const user = await limiter.check(ctx, signInTarget(body.email),
          () => authenticateMerchantUser(deps.db, deps.keyring, body.email, body.password), { targetLimit: ACCOUNT_LIMIT });
        if (!user) throw new ProblemError('invalid-credentials', 'the email or the password is wrong');
        // The password alone opens the console only to someone without a second factor, at a merchant not requiring one.
        const stage: SessionStage = hasTwoFactor(user) ? 'second-factor' : (await twoFactorRequired(deps.db, user.merchant_id)) ? 'enrolment' : 'signed-in';
        const { sessionId } = await openSession(deps.db, user.id, stage);
        setSessionCookie(ctx, sessionId);
        ctx.state.log.info({ userId: user.id, merchantId: user.merchant_id, stage }, 'console sign-in');
        return { status: 201, body: await sessionBody({ user, stage }, sessionId) };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/session', operationId: 'getSession', summary: 'The signed-in console user, and the CSRF token for writes', tag: 'console', auth: 'none',
      responses: { 200: { description: 'Signed in', schema: sessionView }, 401: { description: 'No live session' } },
      handler: async ({ ctx }) => {
        const { state, sessionId } = await signedIn(deps.db, ctx);
        return { status: 200, body: await sessionBody(state, sessionId) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/v1/session', operationId: 'signOut', summary: 'Sign out: the session ends on the server and the cookie is cleared', tag: 'console', auth: 'none',
      responses: { 204: { description: 'Signed out (or was not signed in)' }, 403: { description: 'Cross-site or without the CSRF token' } },
      handler: async ({ ctx }) => {
        const sessionId = sessionCookie(ctx);
        if (sessionId && (await sessionState(deps.db, sessionId))) {
          refuseForgedWrite(ctx, sessionId);
          await closeSession(deps.db, sessionId);
        }
        clearSessionCookie(ctx);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/session/password', operationId: 'setConsolePassword', summary: "Set a console user's password from the invitation link (works once)", tag: 'console', auth: 'none',
      body: z.object({ token: z.string().min(1).max(100), password }),
      responses: { 204: { description: 'Password set: sign in with it' }, 404: { description: 'The link is unknown, used or expired' } },
      handler: async ({ body, ctx }) => {
        refuseForeignOrigin(ctx);
        const user = await limiter.check(ctx, `invitation:${body.token.slice(0, 10)}`, () => setMerchantUserPassword(deps.db, body.token, body.password));
        if (!user) throw new ProblemError('not-found', 'this invitation link is unknown, was used already or expired: ask an admin to invite you again');
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/users', operationId: 'listConsoleUsers', summary: "The merchant's console users", tag: 'console', auth: 'merchant', merchantRole: 'admin',
      responses: { 200: { description: 'Users', schema: z.object({ users: z.array(userView) }) } },
      handler: async ({ state }) => ({ status: 200, body: { users: (await listMerchantUsers(deps.db, state.merchant.id)).map(view) } }),
    }),
    defineRoute({
      method: 'post', path: '/v1/users', operationId: 'inviteConsoleUser', summary: 'Invite a console user: an email with a set-password link (valid 7 days)', tag: 'console', auth: 'merchant', merchantRole: 'admin',
      body: z.object({ email, name: plainText(200), role: roleEnum }),
      responses: { 201: { description: 'Invited', schema: userView }, 409: { description: 'A console user with this email exists' } },
      handler: async ({ body, state }) => ({ status: 201, body: view(await invite(state.merchant.id, body)) }),
    }),
    defineRoute({
      method: 'post', path: '/v1/admin/merchants/:merchantId/users', operationId: 'createMerchantAdminUser', tag: 'admin', auth: 'admin',
      summary: "Create a merchant's console admin (its first user), or a Settle platform admin of its console, and email the invitation",
      params: z.object({ merchantId: merchantIdParam }),
      // Only here: a merchant admin's invitation (POST /v1/users) never makes a platform admin.
      body: z.object({ email, name: plainText(200), platformAdmin: z.boolean().default(false).describe('Settle staff: may change what the platform decides for this merchant (multi-connection)') }),
      responses: { 201: { description: 'Invited', schema: userView }, 404: { description: 'No such merchant' }, 409: { description: 'A console user with this email exists' } },
      handler: async ({ params, body }) => ({ status: 201, body: view(await invite(params.merchantId, { ...body, role: 'admin' })) }),
    }),
  ];
}

/** The session of the cookie at any stage (signing in included), or 401. */
export async function signedIn(db: Db, ctx: Context): Promise<{ state: SessionState; sessionId: string }> {
  const sessionId = sessionCookie(ctx);
  const state = sessionId ? await sessionState(db, sessionId) : undefined;
  if (!state || !sessionId) throw new ProblemError('unauthenticated', 'not signed in to the console (or the session ended): sign in');
  return { state, sessionId };
}

export const userViewOf = (deps: Pick<ApiDeps, 'keyring'>) => (u: MerchantUser) => ({
  id: u.id, merchantId: u.merchant_id, ...merchantUserDetails(deps.keyring, u), role: u.role, platformAdmin: u.platform_admin, passwordSet: u.password_hash !== null, createdAt: u.created_at.toISOString(),
});

/** What POST/GET /v1/session answer (and the second factor, once it signs in). */
export function sessionBodyOf(deps: ApiDeps) {
  const view = userViewOf(deps);
  return async ({ user, stage }: { user: MerchantUser; stage: SessionStage }, sessionId: string): Promise<z.output<typeof sessionView>> => {
    const merchant = await findMerchant(deps.db, user.merchant_id);
    if (!merchant) throw new ProblemError('unauthenticated', 'the merchant of this user no longer exists');
    return { user: view(user), merchant: { id: merchant.id, name: merchant.name }, csrfToken: csrfTokenFor(sessionId), idleTimeoutSeconds: SESSION_IDLE_MS / 1000,
      stage, twoFactor: { enabled: hasTwoFactor(user), requiredByMerchant: merchant.console_two_factor_required, recoveryCodesLeft: hasTwoFactor(user) ? await recoveryCodesLeft(deps.db, user.id) : 0 },
      temporal: { uiUrl: deps.temporalUiUrl ?? null, namespace: deps.temporal.options.namespace } };
  };
}

/** Creates the user and queues the invitation in one transaction: no user without their email, no email twice. */
export async function inviteUser(deps: Pick<ApiDeps, 'db' | 'keyring' | 'publicUrl'>, merchantId: string, body: { email: string; name: string; role: MerchantUserRole; platformAdmin?: boolean }): Promise<MerchantUser> {
  const merchant = await findMerchant(deps.db, merchantId);
  if (!merchant) throw notFound('merchant');
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const { user, invitationToken } = await createMerchantUser(trx, deps.keyring, merchantId, body);
      // The token rides in the fragment: browsers never send it to a server or in a Referer.
      const link = `${deps.publicUrl}/console/set-password#token=${invitationToken}`;
      await enqueueEmail(trx, deps.keyring, {
        merchantId, template: CONSOLE_INVITATION_TEMPLATE, dedupeKey: `console-invitation:${user.id}`,
        message: { to: body.email, ...consoleInvitationTemplate({ name: body.name, merchantName: merchant.name, role: body.role, link, expiresInDays: INVITATION_TTL_MS / 86_400_000 }) },
      });
      return user;
    });
  } catch (err) {
    if (err instanceof MerchantUserExists) throw new ProblemError('conflict', err.message);
    throw err;
  }
}
