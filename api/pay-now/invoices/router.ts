// The payer's invoice pages, /pay/m/:merchantId/invoices: the link in auto-payment emails. A registered payer signs
// in, pays outstanding invoices (several in one payment) by card or bank debit, stops automatic payments, and sees
// past payments. See the files beside this one for each step.
import type { AuthFailureLimiter } from '../../middleware/auth-failures';
import type Router from '@koa/router';
import type { ApiDeps } from '../../deps';
import { invoiceCheckoutHandlers } from './checkout';
import { loadInvoicesRequest, payersCheckout } from './context';
import { invoiceIdentifyHandlers } from './identify';
import { outcomeNotice, renderInvoices } from './list';
import { payHandler } from './pay';
import { page } from '../requests';
import { termsHandlers } from './terms';

export function mountInvoicePages(router: Router, deps: ApiDeps, authFailures: AuthFailureLimiter): void {
  const base = '/pay/m/:merchantId/invoices';
  const identify = invoiceIdentifyHandlers(deps, authFailures);
  const checkout = invoiceCheckoutHandlers(deps);
  const terms = termsHandlers(deps);

  router.get(base, page(async (ctx) => {
    const req = await loadInvoicesRequest(ctx, deps);
    // Back from a checkout (?checkout=…) or a change (?done=…): say what happened.
    const checkoutState = await payersCheckout(deps, req, ctx.query.checkout);
    const notice = checkoutState ? outcomeNotice(checkoutState, req.merchant.name)
      : req.payer && ctx.query.done === 'terms-revoked' ? { kind: 'ok' as const, text: 'Automatic payments are stopped: nothing more will be charged by them.' } : undefined;
    await renderInvoices(ctx, deps, req, { notice });
  }));
  router.post(`${base}/login`, identify.login);
  router.post(`${base}/logout`, identify.logout);
  router.post(`${base}/pay`, payHandler(deps));
  router.get(`${base}/checkouts/:checkoutId`, checkout.show);
  router.post(`${base}/checkouts/:checkoutId/surcharge`, checkout.surcharge);
  router.post(`${base}/checkouts/:checkoutId/sandbox-review`, checkout.sandboxReview);
  router.post(`${base}/checkouts/:checkoutId/sandbox-confirm`, checkout.sandboxConfirm);
  router.get(`${base}/checkouts/:checkoutId/return`, checkout.returned);
  router.post(`${base}/checkouts/:checkoutId/cancel`, checkout.cancel);
  router.post(`${base}/terms/:termsId/revoke`, terms.revoke);
}
