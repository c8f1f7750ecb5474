// Two-factor sign-in to the console (db/console-two-factor.ts): the code after the password, enrolment with an
// authenticator app (QR code, first code, ten recovery codes shown once), and the merchant admin's setting that makes
// it mandatory. The session routes authenticate by the cookie at whatever stage it is (a signing-in session may only
// use these); every write proves it comes from the console (CSRF, api/middleware/session.ts).
import QRCode from 'qrcode';
import { z } from 'zod';
import { confirmEnrolment, hasTwoFactor, setTwoFactorRequired, startEnrolment, twoFactorRequired, verifySecondFactor } from '../../db/console-two-factor';
import { closeSession, countCodeFailure, merchantUserDetails, openSession, setSessionStage } from '../../db/merchant-users';
import { base32Decode, otpauthUri } from '../../lib/crypto/totp';
import type { ApiDeps } from '../deps';
import type { AuthFailureLimiter } from '../middleware/auth-failures';
import { clearSessionCookie, refuseForgedWrite, setSessionCookie } from '../middleware/session';
import { ProblemError } from '../problem';
import { defineRoute } from '../routing';
import { ACCOUNT_LIMIT, sessionBodyOf, sessionView, signedIn, signInTarget } from './console-users';

/** Wrong codes one signing-in session may send; then the password is asked again (and counted again). */
export const CODE_FAILURES_PER_SESSION = 5;

const code = z.string().trim().min(6).max(40).describe('Six digits from the authenticator app, or a recovery code (xxxx-xxxx-xxxx-xxxx)');
const requirement = z.object({ required: z.boolean().describe("Every console user of the merchant signs in with a second factor; users without one enrol at their next sign-in") });

export function consoleTwoFactorRoutes(deps: ApiDeps, limiter: AuthFailureLimiter) {
  const sessionBody = sessionBodyOf(deps);
  return [
    defineRoute({
      method: 'post', path: '/v1/session/second-factor', operationId: 'signInSecondFactor', tag: 'console', auth: 'none',
      summary: "Finish signing in: the authenticator app's code (each works once) or a recovery code (used up). A new session id replaces the signing-in one",
      body: z.object({ code }),
      responses: {
        201: { description: 'Signed in', schema: sessionView },
        401: { description: 'The code is wrong (or the session ended: after 5 wrong codes, sign in again)' },
        403: { description: 'Cross-site or without the CSRF token' },
        409: { description: 'This session is not waiting for a code' },
        429: { description: 'Too many failed sign-ins of this account or from this address; see Retry-After' },
      },
      handler: async ({ body, ctx }) => {
        const { state, sessionId } = await signedIn(deps.db, ctx);
        refuseForgedWrite(ctx, sessionId);
        if (state.stage !== 'second-factor') throw new ProblemError('conflict', 'this session is not waiting for a code: sign in with your email and password first');
        const { email } = merchantUserDetails(deps.keyring, state.user);
        // Counted under the account's sign-in target, like a wrong password: guessing codes meets the same lockout.
        const how = await limiter.check(ctx, signInTarget(email), () => verifySecondFactor(deps.db, deps.keyring, state.user, body.code), { targetLimit: ACCOUNT_LIMIT });
        if (!how) {
          if ((await countCodeFailure(deps.db, sessionId)) >= CODE_FAILURES_PER_SESSION) {
            await closeSession(deps.db, sessionId);
            clearSessionCookie(ctx);
            throw new ProblemError('invalid-code', `too many wrong codes (${CODE_FAILURES_PER_SESSION}): sign in again with your email and password`);
          }
          throw new ProblemError('invalid-code', 'the code is wrong or was used already: type the current code of your authenticator app, or a recovery code');
        }
        // A fresh id once fully signed in: an id seen before the second factor never opens the console.
        await closeSession(deps.db, sessionId);
        const opened = await openSession(deps.db, state.user.id, 'signed-in');
        setSessionCookie(ctx, opened.sessionId);
        ctx.state.log.info({ userId: state.user.id, merchantId: state.user.merchant_id, with: how }, 'console sign-in: second factor');
        return { status: 201, body: await sessionBody({ user: state.user, stage: 'signed-in' }, opened.sessionId) };
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/session/two-factor', operationId: 'startTwoFactorEnrolment', tag: 'console', auth: 'none',
      summary: 'Start enrolling an authenticator app: a new secret, as a QR code and as text (confirm it with a first code)',
      responses: {
        201: { description: 'Scan the QR code (or type the secret) in the app', schema: z.object({ secret: z.string(), otpauthUri: z.string(), qrCode: z.string().describe('A data: URL of a PNG of otpauthUri') }) },
        401: { description: 'Not signed in' },
        403: { description: 'Cross-site or without the CSRF token' },
        409: { description: 'Two-factor sign-in is on already, or the session is waiting for a code' },
      },
      handler: async ({ ctx }) => {
        const { state, sessionId } = await signedIn(deps.db, ctx);
        refuseForgedWrite(ctx, sessionId);
        if (state.stage === 'second-factor') throw new ProblemError('conflict', 'finish signing in first: type the code of your authenticator app');
        if (hasTwoFactor(state.user)) throw new ProblemError('conflict', 'two-factor sign-in is on already for this user: sign in with a code from your authenticator app');
        const secret = await startEnrolment(deps.db, deps.keyring, state.user.id);
        const uri = otpauthUri(base32Decode(secret), 'Settle', merchantUserDetails(deps.keyring, state.user).email);
        return { status: 201, body: { secret, otpauthUri: uri, qrCode: await QRCode.toDataURL(uri, { margin: 1, width: 200 }) } };
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/session/two-factor/confirm', operationId: 'confirmTwoFactorEnrolment', tag: 'console', auth: 'none',
      summary: 'Turn two-factor sign-in on with a first code of the app; answers the ten recovery codes, shown this once',
      body: z.object({ code: z.string().trim().max(20) }),
      responses: {
        201: { description: 'On: keep the recovery codes somewhere safe', schema: z.object({ recoveryCodes: z.array(z.string()) }) },
        401: { description: 'Not signed in, or the code is wrong' },
        403: { description: 'Cross-site or without the CSRF token' },
        409: { description: 'No enrolment was started' },
      },
      handler: async ({ body, ctx }) => {
        const { state, sessionId } = await signedIn(deps.db, ctx);
        refuseForgedWrite(ctx, sessionId);
        if (state.stage === 'second-factor') throw new ProblemError('conflict', 'finish signing in first: type the code of your authenticator app');
        if (hasTwoFactor(state.user)) throw new ProblemError('conflict', 'two-factor sign-in is on already for this user: sign in with a code from your authenticator app');
        if (!state.user.totp_pending_sealed) throw new ProblemError('conflict', 'there is no enrolment to finish: press "Set up an authenticator app" (POST /v1/session/two-factor) to get a new key');
        const recoveryCodes = await confirmEnrolment(deps.db, deps.keyring, state.user.id, body.code);
        if (!recoveryCodes) throw new ProblemError('invalid-code', 'the code does not match: type the code your authenticator app shows now (it changes every 30 seconds), and check that your phone sets its clock automatically');
        // A session held back for enrolment opens now: the user has just proved the second factor.
        if (state.stage === 'enrolment') await setSessionStage(deps.db, sessionId, 'signed-in');
        ctx.state.log.info({ userId: state.user.id, merchantId: state.user.merchant_id }, 'console two-factor sign-in enrolled');
        return { status: 201, body: { recoveryCodes } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/merchant/settings/console-two-factor', operationId: 'getConsoleTwoFactorRequirement', tag: 'console', auth: 'merchant', merchantRole: 'admin',
      summary: 'Whether console users must sign in with a second factor',
      responses: { 200: { description: 'The setting', schema: requirement } },
      handler: async ({ state }) => ({ status: 200, body: { required: await twoFactorRequired(deps.db, state.merchant.id) } }),
    }),
    defineRoute({
      method: 'put', path: '/v1/merchant/settings/console-two-factor', operationId: 'setConsoleTwoFactorRequirement', tag: 'console', auth: 'merchant', merchantRole: 'admin',
      summary: 'Make two-factor sign-in mandatory for the merchant\'s console users (or optional again)',
      body: requirement,
      responses: { 200: { description: 'Saved', schema: requirement } },
      handler: async ({ body, state }) => {
        await setTwoFactorRequired(deps.db, state.merchant.id, body.required);
        return { status: 200, body };
      },
    }),
  ];
}

