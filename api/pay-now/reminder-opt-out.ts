// The link in every reminder email that stops them: GET shows what it does and a button (a mail scanner that follows
// links must not opt anyone out), POST records the opt-out and redirects to a confirmation (Post/Redirect/Get). The
// link's token names the payer and is signed for the merchant (lib/reminders/opt-out-token.ts): no sign-in needed,
// and a token for another merchant or a forged one opens on a 404.
import type { Context } from 'koa';
import type { ApiDeps } from '../deps';
import { payerOfOptOutToken } from '../../lib/reminders/opt-out-token';
import { html } from './html';
import { sendMessage, sendPage } from './layout';
import { page, postedForm, seeOther } from './requests';

const UNKNOWN = 'This link is not valid. Open it again from the reminder email, or ask the sender of the invoice for help.';

export function reminderOptOutHandlers(deps: ApiDeps) {
  async function payerOf(merchantId: string, token: string) {
    const payerId = token.length <= 300 ? payerOfOptOutToken(deps.keyring, merchantId, token) : undefined;
    if (!payerId) return undefined;
    const merchant = await deps.db.selectFrom('merchants').innerJoin('payers', 'payers.merchant_id', 'merchants.id').select(['merchants.name', 'payers.id'])
      .where('merchants.id', '=', merchantId).where('payers.id', '=', payerId).executeTakeFirst();
    return merchant ? { payerId, merchantName: merchant.name } : undefined;
  }

  const show = page(async (ctx: Context) => {
    const merchantId = ctx.params.merchantId as string;
    const token = typeof ctx.query.t === 'string' ? ctx.query.t : '';
    const found = await payerOf(merchantId, token);
    if (!found) return sendMessage(ctx, 404, 'Link not valid', UNKNOWN);
    if (ctx.query.done === '1') {
      return sendMessage(ctx, 200, 'Reminders stopped', `You will receive no more payment reminders from ${found.merchantName}. Receipts and other emails about your payments still come.`);
    }
    sendPage(ctx, {
      title: 'Stop payment reminders',
      body: html`<form class="card" method="post" action="/pay/m/${merchantId}/reminders/opt-out" id="opt-out">
<h1>Stop payment reminders</h1>
<p>${found.merchantName} emails you reminders of invoices that are due or overdue. Stop them for all invoices from ${found.merchantName}?</p>
<input type="hidden" name="t" value="${token}">
<button type="submit">Stop reminders</button>
</form>`,
    });
  });

  const submit = page(async (ctx: Context) => {
    const merchantId = ctx.params.merchantId as string;
    const form = await postedForm(ctx, deps);
    const token = form.t ?? '';
    const found = await payerOf(merchantId, token);
    if (!found) return sendMessage(ctx, 404, 'Link not valid', UNKNOWN);
    await deps.db.insertInto('reminder_opt_outs').values({ merchant_id: merchantId, payer_id: found.payerId })
      .onConflict((oc) => oc.columns(['merchant_id', 'payer_id']).doNothing()).execute();
    ctx.state.log.info({ merchantId, payerId: found.payerId }, 'pay now: payer opted out of reminders');
    seeOther(ctx, `/pay/m/${merchantId}/reminders/opt-out?t=${encodeURIComponent(token)}&done=1`);
  });

  return { show, submit };
}
