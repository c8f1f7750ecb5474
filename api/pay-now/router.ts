// The Pay Now pages: server-rendered HTML for the payer who clicked "Accept and Pay" on a quote in CPQ. Not part of
// the JSON API (no problem+json, not in the OpenAPI document): a person reads these. See the files beside this
// one for each step; sessions are sealed cookies (session.ts), POSTs are checked for their Origin (requests.ts).
import type { AuthFailureLimiter } from '../middleware/auth-failures';
import Router from '@koa/router';
import type { ApiDeps } from '../deps';
import { checkoutHandlers } from './checkout';
import { identifyHandlers } from './identify';
import { mountInvoicePages } from './invoices/router';
import { loadQuote, renderQuote } from './quote-context';
import { page } from './requests';
import { reminderOptOutHandlers } from './reminder-opt-out';
import { setPasswordHandlers } from './set-password';

export function payNowRouter(deps: ApiDeps, authFailures: AuthFailureLimiter): Router {
  const router = new Router();
  const identify = identifyHandlers(deps, authFailures);
  const paying = checkoutHandlers(deps);
  const password = setPasswordHandlers(deps);

  router.get('/pay/q/:token', page(async (ctx) => renderQuote(ctx, deps, await loadQuote(ctx, deps))));
  router.post('/pay/q/:token/login', identify.login);
  router.post('/pay/q/:token/register', identify.register);
  router.post('/pay/q/:token/guest', identify.guest);
  router.post('/pay/q/:token/checkout', paying.checkout);
  router.get('/pay/q/:token/pay', paying.pay);
  router.post('/pay/q/:token/surcharge', paying.surcharge);
  router.post('/pay/q/:token/sandbox-review', paying.sandboxReview);
  router.post('/pay/q/:token/sandbox-confirm', paying.sandboxConfirm);
  router.get('/pay/q/:token/return', paying.returned);
  router.get('/pay/set-password', password.show);
  router.post('/pay/set-password', password.submit);
  const optOut = reminderOptOutHandlers(deps);
  router.get('/pay/m/:merchantId/reminders/opt-out', optOut.show);
  router.post('/pay/m/:merchantId/reminders/opt-out', optOut.submit);
  mountInvoicePages(router, deps, authFailures);
  return router;
}
