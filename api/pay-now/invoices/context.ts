// The merchant a request to /pay/m/:merchantId/invoices is about, and the payer signed in to it (if any); and each
// checkout's state, read from its workflow and shown only to the payer whose checkout it is.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Context } from 'koa';
import { findMerchant } from '../../../db/merchants';
import { findPayer, payerDetails } from '../../../db/payers';
import type { Merchant, Payer } from '../../../db/schema';
import { invoicePaymentStateQuery, invoicePaymentWorkflowId, type InvoicePaymentState } from '../../../workflows/invoice-payments/definitions';
import type { ApiDeps } from '../../deps';
import { ProblemError } from '../../problem';
import { PageError } from '../requests';
import { readPayerSession } from './session';

const MERCHANT_ID = /^mer_[0-9a-f]{24}$/;
const CHECKOUT_ID = /^chk_[0-9a-f]{24}$/;
// A running workflow answers a query in milliseconds; past this the payer gets a "try again shortly" page.
const QUERY_DEADLINE_MS = 3_000;

export interface InvoicesRequest {
  merchant: Merchant;
  /** /pay/m/:merchantId/invoices: the list page, and the prefix of its forms. */
  base: string;
  payer?: Payer & { name: string };
}

const params = (ctx: Context) => (ctx as unknown as { params: Record<string, string | undefined> }).params;

export async function loadInvoicesRequest(ctx: Context, deps: ApiDeps): Promise<InvoicesRequest> {
  const merchantId = String(params(ctx).merchantId ?? '');
  const merchant = MERCHANT_ID.test(merchantId) ? await findMerchant(deps.db, merchantId) : undefined;
  if (!merchant) throw new PageError(404, 'Page not found', 'This payment page does not exist. Use the link in the email your provider sent you.');
  const session = readPayerSession(ctx, deps, merchant.id);
  const payer = session ? await findPayer(deps.db, merchant.id, session.payerId) : undefined;
  return { merchant, base: `/pay/m/${merchant.id}/invoices`, payer: payer ? { ...payer, name: payerDetails(deps.keyring, payer).name } : undefined };
}

/** The checkout named in the path (or query), if it is this payer's; undefined when it is not (or does not exist). */
export async function payersCheckout(deps: ApiDeps, req: InvoicesRequest, checkoutId: unknown): Promise<InvoicePaymentState | undefined> {
  if (!req.payer || typeof checkoutId !== 'string' || !CHECKOUT_ID.test(checkoutId)) return undefined;
  const handle = deps.temporal.workflow.getHandle(invoicePaymentWorkflowId(req.merchant.id, checkoutId));
  let state: InvoicePaymentState | undefined;
  try {
    const { status } = await handle.describe();
    if (status.name === 'RUNNING') state = await deps.temporal.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(invoicePaymentStateQuery));
    else if (status.name === 'COMPLETED') state = await handle.result(); // the workflow returns its final state
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    deps.log.warn({ err: (err as Error).message, checkoutId }, 'invoice checkout state unavailable');
    throw new ProblemError('not-ready', 'the checkout cannot be read right now'); // a "try again shortly" page
  }
  return state?.payerId === req.payer.id ? state : undefined;
}

export const checkoutIdOf = (ctx: Context) => String(params(ctx).checkoutId ?? '');
