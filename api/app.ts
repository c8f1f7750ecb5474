// The Koa application: request context, problem+json errors, security headers, and every route.
import Router from '@koa/router';
import Koa from 'koa';
import { codecRouter } from './codec';
import { consoleRouter } from './console';
import type { ApiDeps } from './deps';
import { credentialKinds } from './middleware/auth';
import { AuthFailureLimiter } from './middleware/auth-failures';
import { problemErrors } from './middleware/errors';
import { requestContext } from './middleware/request-context';
import { buildOpenApi } from './openapi';
import { payNowRouter } from './pay-now/router';
import { stripeWebhookRouter } from './webhooks/stripe';
import { billingSyncRoutes } from './routes/billing-sync';
import { bpayRoutes } from './routes/bpay';
import { feeRoutes } from './routes/fees';
import { invoiceSyncRoutes } from './routes/invoice-sync';
import { payerInvoiceRoutes } from './routes/payer-invoices';
import { connectionRoutes } from './routes/connections';
import { consoleUserRoutes } from './routes/console-users';
import { consoleTwoFactorRoutes } from './routes/console-two-factor';
import { oauthRoutes } from './routes/oauth';
import { cpqRoutes } from './routes/cpq';
import { integrationRoutes } from './routes/integrations';
import { quotePaymentRoutes } from './routes/quote-payments';
import { healthRoutes } from './routes/health';
import { merchantRoutes } from './routes/merchants';
import { metaRoutes } from './routes/meta';
import { overviewRoutes } from './routes/overview';
import { reminderRoutes } from './routes/reminders';
import { partialPaymentRoutes } from './routes/partial-payments';
import { paymentRoutes } from './routes/payments';
import { payoutAccountRoutes } from './routes/payout-accounts';
import { payoutRoutes } from './routes/payouts';
import { refundRoutes } from './routes/refunds';
import { stripeAccountRoutes } from './routes/stripe-account';
import { surchargeRoutes } from './routes/surcharges';
import { mountRoutes, type RouteSpec } from './routing';

const API_INFO = { title: 'Settle API', version: '0.1.0' };

/**
 * The OpenAPI document /openapi.json serves, built in-process: the console's typed client is generated from it
 * (console/build.ts) without a running server. Route factories only keep `deps` for their handlers, so any object does.
 */
export function openApiDocument(deps: ApiDeps): unknown {
  return buildOpenApi(allRoutes(deps), API_INFO);
}

/** Every route; `authFailures` is the app's one limiter (sign-in counts under it like keys). */
export function allRoutes(deps: ApiDeps, authFailures = new AuthFailureLimiter(deps.authFailureLimits)): RouteSpec[] {
  const businessRoutes = [
    ...healthRoutes(deps), ...merchantRoutes(deps), ...connectionRoutes(deps), ...oauthRoutes(deps), ...paymentRoutes(deps), ...refundRoutes(deps),
    ...integrationRoutes(deps), ...cpqRoutes(deps), ...quotePaymentRoutes(deps), ...bpayRoutes(deps), ...billingSyncRoutes(deps), ...feeRoutes(deps),
    ...invoiceSyncRoutes(deps), ...payerInvoiceRoutes(deps), ...stripeAccountRoutes(deps), ...payoutAccountRoutes(deps), ...payoutRoutes(deps), ...surchargeRoutes(deps), ...consoleUserRoutes(deps, authFailures), ...consoleTwoFactorRoutes(deps, authFailures), ...overviewRoutes(deps),
    ...reminderRoutes(deps), ...partialPaymentRoutes(deps),
  ];
  let document: unknown;
  const openApi = () =>
    (document ??= buildOpenApi([...businessRoutes, ...meta], API_INFO));
  const meta = metaRoutes(openApi);
  return [...businessRoutes, ...meta];
}

export function createApp(deps: ApiDeps): Koa {
  const app = new Koa({ proxy: process.env.SETTLE_TRUST_PROXY === '1' });
  // Koa's own error printing would duplicate (and leak) what the problem middleware already logs.
  app.silent = true;
  const router = new Router();
  // One limiter for every kind of key, so an address that fails with one kind cannot go on with another.
  const authFailures = new AuthFailureLimiter(deps.authFailureLimits);
  // Tells a valid credential of the wrong kind (403) from a guess (401, counted).
  const kindOf = credentialKinds({ ...deps, opsToken: deps.codec?.opsToken });
  mountRoutes(router, allRoutes(deps, authFailures), deps, authFailures, kindOf);

  app.use(requestContext(deps.log));
  app.use(problemErrors());
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  // The payer's HTML pages (not JSON API routes: not in the OpenAPI document, their errors are pages).
  // Each router answers a method it does not take on one of its paths (405 with Allow; problemErrors makes it
  // problem+json), so no path falls through to a 404 or a bare 501.
  const payNow = payNowRouter(deps, authFailures);
  app.use(payNow.routes()).use(payNow.allowedMethods());
  // Stripe's webhooks: the raw body is what the signature covers, so they bypass the JSON routing.
  const webhooks = stripeWebhookRouter(deps);
  app.use(webhooks.routes()).use(webhooks.allowedMethods());
  // The Temporal Web UI's codec server, for ops only (api/codec.ts).
  const codec = codecRouter(deps, authFailures, kindOf);
  app.use(codec.routes()).use(codec.allowedMethods());
  // The merchant console's single-page app (api/console.ts); it calls the /v1 routes below.
  const consoleApp = consoleRouter(deps.consoleDist);
  app.use(consoleApp.routes()).use(consoleApp.allowedMethods());
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
