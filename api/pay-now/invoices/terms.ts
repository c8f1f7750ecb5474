// "Stop automatic payments": POST /pay/m/:merchantId/invoices/terms/:termsId/revoke. The payer revokes their own
// billing terms; nothing more is charged by them (each charge re-reads the terms first).
import { recordActivity } from '../../../db/activity-log';
import type { ApiDeps } from '../../deps';
import { page, postedForm, seeOther } from '../requests';
import { loadInvoicesRequest } from './context';
import { renderInvoices } from './list';

const TERMS_ID = /^bt_[0-9a-f]{24}$/;

export function termsHandlers(deps: ApiDeps) {
  const revoke = page(async (ctx) => {
    await postedForm(ctx, deps);
    const req = await loadInvoicesRequest(ctx, deps);
    if (!req.payer) return renderInvoices(ctx, deps, req, { status: 401, notice: { kind: 'error', text: 'Sign in first.' } });
    const termsId = String((ctx as unknown as { params: { termsId?: string } }).params.termsId ?? '');
    // Only the payer's own terms: anyone else's id (or a made-up one) changes nothing.
    const revoked = TERMS_ID.test(termsId) ? await deps.db.updateTable('billing_terms').set({ status: 'revoked' })
      .where('id', '=', termsId).where('merchant_id', '=', req.merchant.id).where('payer_id', '=', req.payer.id).returning('id').executeTakeFirst() : undefined;
    if (!revoked) return renderInvoices(ctx, deps, req, { status: 404, notice: { kind: 'error', text: 'Those automatic payments were not found.' } });
    await recordActivity(deps.db, { merchantId: req.merchant.id, kind: 'billing-terms-revoked', subject: termsId, detail: 'The payer stopped automatic payments on the Pay Now page.' });
    ctx.state.log.info({ merchantId: req.merchant.id, payerId: req.payer.id, termsId }, 'pay now invoices: billing terms revoked by the payer');
    seeOther(ctx, `${req.base}?done=terms-revoked`);
  });
  return { revoke };
}
