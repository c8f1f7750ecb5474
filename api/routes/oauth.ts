// Connecting the books by OAuth consent: the merchant asks for a consent URL, the platform sends the browser back to
// the callback, Settle exchanges the code and seals the tokens, and the browser lands on a plain page saying what
// happened. Several Xero organisations in one consent: the merchant picks one (the others are let go). Every
// refusal is problem+json with a `reason`, and nothing is stored for it; at the callbacks, which a browser reaches,
// a request that Accepts text/html gets the same refusal as a page saying what happened and what to do.
import { z } from 'zod';
import { ConsentRefused, type ConsentRefusal } from '../../activities/accounting/oauth/errors';
import { Consents, type ConsentOutcome } from '../../activities/accounting/oauth/consents';
import { STATE_TTL_MS } from '../../activities/accounting/oauth/states';
import { wakeConnectionWaiters } from '../../activities/accounting/waiters';
import { platformTitle } from '../../activities/accounting/connections';
import type { PlatformName } from '../../activities/accounting/platform';
import { recordActivity } from '../../db/activity-log';
import { findMerchant } from '../../db/merchants';
import { ACCOUNTING_ROLES } from '../../lib/task-queues';
import type { Context } from 'koa';
import type { ApiDeps } from '../deps';
import { html } from '../pay-now/html';
import { sendPage } from '../pay-now/layout';
import { notFound, ProblemError, type ProblemSlug } from '../problem';
import { defineRoute, type RouteSpec } from '../routing';
import { merchantIdParam, plainText } from '../schemas';

const roleEnum = z.enum(ACCOUNTING_ROLES);
const platformEnum = z.enum(['xero', 'quickbooks']);

const SLUG_OF: Partial<Record<ConsentRefusal, ProblemSlug>> = {
  'tenant-not-in-consent': 'tenant-not-in-consent',
  'no-pending-consent': 'no-pending-consent',
  'platform-not-configured': 'platform-not-configured',
};

/** A refusal as problem+json; anything else goes on (an outage is a 500/503, not the merchant's fault). */
async function refusalsAsProblems<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ConsentRefused) throw new ProblemError(SLUG_OF[err.reason] ?? 'consent-refused', err.message, { reason: err.reason });
    throw err;
  }
}


/** What the merchant can do about each refusal, on the page a browser gets. */
const NEXT_STEP: Partial<Record<ConsentRefusal, string>> = {
  'access-denied': 'To connect, start again from Settle and choose Allow on the consent screen.',
  'state-expired': 'Consent must be given within 10 minutes of starting it. Start again from Settle.',
  'state-used': 'This consent was already completed (the page was reloaded, or the link opened twice). Check the connection in Settle; start again only if it is not connected.',
  'state-unknown': 'Settle did not start this consent, or its link is incomplete. Start connecting from Settle.',
};

/** A browser (its Accept lists text/html ahead of the rest) rather than an API client (JSON, or no preference). */
const wantsPage = (ctx: Context) => ctx.accepts('application/json', 'application/problem+json', 'text/html') === 'text/html';

/** The refusal as the result pages' kind of page, with the status the problem+json would have had. */
function sendRefusalPage(ctx: Context, platform: PlatformName, problem: ProblemError): void {
  const title = `${platformTitle(platform)} was not connected`;
  const reason = problem.extensions.reason as ConsentRefusal | undefined;
  const what = problem.detail.charAt(0).toUpperCase() + problem.detail.slice(1);
  const next = (reason && NEXT_STEP[reason]) ?? 'Nothing was connected. Start again from Settle; if it keeps failing, contact support.';
  sendPage(ctx, {
    status: problem.status,
    title: `${title} — Settle`,
    body: html`<div class="card"><h1>${title}</h1><p id="outcome">${what}.</p><p id="next">${next}</p></div>`,
  });
}

/** Where the browser goes after the callback: the result page, with nothing secret in its address. */
function resultLocation(outcome: ConsentOutcome): string {
  const query = new URLSearchParams({ outcome: outcome.kind, platform: outcome.platform, role: outcome.role });
  return `/oauth/result?${query}`;
}

export function oauthRoutes(deps: ApiDeps): RouteSpec[] {
  const consents = new Consents({
    db: deps.db,
    keyring: deps.keyring,
    connections: deps.accounting.connections,
    publicUrl: () => deps.publicUrl,
    log: deps.log,
    onConnected: async (merchantId) => {
      await wakeConnectionWaiters(deps.db, deps.temporal, merchantId);
    },
  });

  const callback = (platform: PlatformName) =>
    defineRoute({
      method: 'get',
      path: `/oauth/${platform}/callback`,
      operationId: `${platform}OAuthCallback`,
      summary: `Where ${platformTitle(platform)} sends the browser back after consent: the code is exchanged and the tokens sealed, then the browser is sent to a page saying what happened`,
      tag: 'connections',
      auth: 'none',
      query: z.object({
        state: z.string().max(200).optional(),
        code: z.string().max(2000).optional(),
        error: z.string().max(200).optional(),
        error_description: z.string().max(2000).optional(),
        scope: z.string().max(2000).optional(),
        realmId: z.string().max(40).optional(),
      }).loose(),
      responses: {
        303: { description: 'Connected (or several organisations to choose from): on to /oauth/result' },
        400: { description: 'Refused (problem+json with `reason`, or to a request that Accepts text/html a page saying what happened and what to do); nothing was stored', page: true },
      },
      handler: async ({ ctx }) => {
        const url = new URL(ctx.originalUrl, deps.publicUrl);
        let outcome: ConsentOutcome;
        try {
          outcome = await refusalsAsProblems(() => consents.complete(platform, url));
        } catch (err) {
          if (!(err instanceof ProblemError) || !wantsPage(ctx)) throw err;
          ctx.state.log.info({ platform, reason: err.extensions.reason }, 'consent refused');
          sendRefusalPage(ctx, platform, err);
          return { status: err.status };
        }
        ctx.state.log.info({ platform, role: outcome.role, outcome: outcome.kind }, 'consent completed');
        return { status: 303, headers: { location: resultLocation(outcome) } };
      },
    });

  return [
    defineRoute({
      method: 'post',
      path: '/v1/connections/:role/authorize',
      operationId: 'authorizeConnection',
      summary: 'Start connecting (or reconnecting) a role: a consent URL to open in the browser, good for one consent within 10 minutes',
      tag: 'connections',
      auth: 'merchant', merchantRole: 'admin',
      params: z.object({ role: roleEnum }),
      body: z.object({ platform: platformEnum }),
      responses: {
        200: { description: 'The consent URL', schema: z.object({ consentUrl: z.string(), expiresInSeconds: z.number() }) },
        422: { description: 'Settle has no app for this platform' },
      },
      handler: async ({ params, body, state }) => {
        const consentUrl = await refusalsAsProblems(() => consents.start(state.merchant.id, params.role, body.platform));
        return { status: 200, body: { consentUrl, expiresInSeconds: STATE_TTL_MS / 1000 } };
      },
    }),
    callback('xero'),
    callback('quickbooks'),
    defineRoute({
      method: 'get',
      path: '/oauth/result',
      operationId: 'oauthResult',
      summary: 'A plain page saying how a consent ended (the merchant console will take this over)',
      tag: 'connections',
      auth: 'none',
      query: z.object({ outcome: z.enum(['connected', 'choose']), platform: platformEnum, role: roleEnum }),
      responses: { 200: { description: 'An HTML page', page: true } },
      handler: async ({ query, ctx }) => {
        const title = platformTitle(query.platform);
        const text = query.outcome === 'connected'
          ? `${title} is connected for ${query.role}. You can close this page.`
          : `Your consent opened several ${title} organisations. Choose the one for ${query.role} in Settle (GET /v1/connections/${query.role}/pending-tenants); the others are let go.`;
        // The Pay Now pages' shell: the same look, and its security headers (CSP, no framing).
        sendPage(ctx, { title: `${title} — Settle`, body: html`<div class="card"><h1>${title}</h1><p id="outcome">${text}</p><p><a href="/console/connections">Back to Connections in the Settle console</a></p></div>` });
        return { status: 200 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/connections/:role/pending-tenants',
      operationId: 'listPendingTenants',
      summary: 'The organisations of a consent that opened several, to choose one from (25 minutes after the consent)',
      tag: 'connections',
      auth: 'merchant', merchantRole: 'admin',
      params: z.object({ role: roleEnum }),
      responses: {
        200: {
          description: 'The consent waiting for a choice',
          schema: z.object({ consentId: z.string(), platform: platformEnum, expiresAt: z.string(), tenants: z.array(z.object({ tenantId: z.string(), name: z.string() })) }),
        },
        404: { description: 'No consent is waiting for a choice' },
      },
      handler: async ({ params, state }) => {
        const pending = await consents.pending(state.merchant.id, params.role);
        if (!pending) throw new ProblemError('no-pending-consent', 'no consent is waiting for a choice for this role', { reason: 'no-pending-consent' });
        return { status: 200, body: { ...pending, expiresAt: pending.expiresAt.toISOString() } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/connections/:role/pending-tenants/choice',
      operationId: 'choosePendingTenant',
      summary: 'Connect the role to one organisation of the consent; the others are disconnected from Settle\'s app',
      tag: 'connections',
      auth: 'merchant', merchantRole: 'admin',
      params: z.object({ role: roleEnum }),
      body: z.object({ consentId: z.string().max(64), tenantId: z.string().max(100) }),
      responses: {
        200: { description: 'Connected', schema: z.object({ role: roleEnum, platform: platformEnum, tenantId: z.string(), status: z.literal('connected') }) },
        404: { description: 'No such consent waiting (expired, chosen, or another merchant\'s)' },
        422: { description: 'The tenant is not one of the consent\'s' },
      },
      handler: async ({ params, body, state }) => {
        const outcome = await refusalsAsProblems(() => consents.choose(state.merchant.id, params.role, body.consentId, body.tenantId));
        return { status: 200, body: { role: params.role, platform: outcome.platform, tenantId: body.tenantId, status: 'connected' as const } };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/v1/admin/merchants/:merchantId/connections/:role',
      operationId: 'importConnection',
      summary: 'Import an existing OAuth grant for a merchant (migrating an integration made outside Settle); recorded in the merchant\'s activity log',
      tag: 'admin',
      auth: 'admin',
      params: z.object({ merchantId: merchantIdParam, role: roleEnum }),
      body: z.object({
        platform: platformEnum,
        tenantId: plainText(100).describe('Xero tenant id or QuickBooks realm id'),
        xeroConnectionId: plainText(100).optional().describe('Xero: the connection id (GET /connections), so that disconnecting can end it'),
        tokens: z.object({
          accessToken: z.string().min(1).max(4096),
          refreshToken: z.string().min(1).max(4096),
          expiresIn: z.number().int().min(1).max(86_400),
          refreshTokenExpiresIn: z.number().int().min(1).optional().describe('QuickBooks: x_refresh_token_expires_in'),
          refreshTokenHardExpiresIn: z.number().int().min(1).optional().describe('QuickBooks: x_refresh_token_hard_expires_in'),
        }),
      }),
      responses: { 200: { description: 'Imported', schema: z.object({ merchantId: z.string(), role: roleEnum, platform: platformEnum, status: z.literal('connected') }) }, 404: { description: 'No such merchant' } },
      handler: async ({ params, body, state }) => {
        if (!(await findMerchant(deps.db, params.merchantId))) throw notFound('merchant');
        await consents.importGrant(params.merchantId, params.role, {
          platform: body.platform,
          tenantId: body.tenantId,
          platformConnectionId: body.xeroConnectionId,
          tokens: {
            access_token: body.tokens.accessToken, refresh_token: body.tokens.refreshToken, expires_in: body.tokens.expiresIn,
            x_refresh_token_expires_in: body.tokens.refreshTokenExpiresIn, x_refresh_token_hard_expires_in: body.tokens.refreshTokenHardExpiresIn,
          },
        });
        // The audit trail: who (the admin key), what and when; never the tokens.
        await recordActivity(deps.db, {
          merchantId: params.merchantId, kind: 'connection-imported', subject: params.role,
          detail: `An administrator imported an existing ${platformTitle(body.platform)} grant for ${params.role} (tenant ${body.tenantId})`,
        }, new Date().toISOString());
        state.log.info({ merchantId: params.merchantId, role: params.role, platform: body.platform }, 'connection imported by an administrator');
        return { status: 200, body: { merchantId: params.merchantId, role: params.role, platform: body.platform, status: 'connected' as const } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/connections/:role',
      operationId: 'disconnectAccounting',
      summary: 'Disconnect a role: the platform lets go of Settle (Xero DELETE /connections/{id}, QuickBooks revoke), the tokens are erased, and work for the role waits for a new consent',
      tag: 'connections',
      auth: 'merchant', merchantRole: 'admin',
      params: z.object({ role: roleEnum }),
      responses: { 204: { description: 'Disconnected' }, 404: { description: 'The role has no connection' } },
      handler: async ({ params, state }) => {
        if (!(await consents.disconnect(state.merchant.id, params.role))) throw notFound(`a live ${params.role} connection`);
        return { status: 204 };
      },
    }),
  ];
}
