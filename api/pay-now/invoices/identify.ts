// Signing in and out of a merchant's invoice pages: POST /pay/m/:merchantId/invoices/login and /logout. Only
// registered payers (they register when paying a quote); a refused sign-in comes back with its error and the email.
import type { AuthFailureLimiter } from '../../middleware/auth-failures';
import { payerSignIn } from '../payer-sign-in';
import type { ApiDeps } from '../../deps';
import { loginShape, problems } from '../identify';
import { page, postedForm, seeOther } from '../requests';
import { loadInvoicesRequest } from './context';
import { renderInvoices } from './list';
import { endPayerSession, startPayerSession } from './session';

export function invoiceIdentifyHandlers(deps: ApiDeps, authFailures: AuthFailureLimiter) {
  const login = page(async (ctx) => {
    const form = await postedForm(ctx, deps);
    const req = await loadInvoicesRequest(ctx, deps);
    const parsed = loginShape.safeParse(form);
    if (!parsed.success) return renderInvoices(ctx, deps, { ...req, payer: undefined }, { status: 422, loginEcho: { email: form.email, error: problems(parsed.error) } });
    const payer = await payerSignIn(ctx, deps, authFailures, req.merchant.id, parsed.data.email, parsed.data.password);
    if (!payer) {
      // One answer for an unknown email and a wrong password: the form does not tell who has an account.
      return renderInvoices(ctx, deps, { ...req, payer: undefined }, { status: 401, loginEcho: { email: parsed.data.email, error: 'That email and password do not match an account. Check them and try again.' } });
    }
    startPayerSession(ctx, deps, req.merchant.id, payer.id);
    ctx.state.log.info({ merchantId: req.merchant.id, payerId: payer.id }, 'pay now invoices: payer signed in');
    seeOther(ctx, req.base);
  });

  const logout = page(async (ctx) => {
    await postedForm(ctx, deps);
    const req = await loadInvoicesRequest(ctx, deps);
    endPayerSession(ctx, deps, req.merchant.id);
    seeOther(ctx, req.base);
  });

  return { login, logout };
}
