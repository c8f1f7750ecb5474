// Which Pay Now checkout is paying which invoice (0012_invoice_payment_claims.ts). A checkout claims all its invoices
// at once or none: a unique index allows one held claim per invoice, so two checkouts (a double click, two tabs, two
// payers of one contact) can never both charge for the same invoice.
import type { Db } from './database';

export type ClaimResult = { ok: true } | { ok: false; heldInvoiceIds: string[] };

/** Claims every invoice for the checkout, or none. A retry by the same checkout finds its claims and succeeds. */
export async function claimInvoices(db: Db, c: { merchantId: string; payerId: string; checkoutId: string; invoiceIds: string[] }): Promise<ClaimResult> {
  try {
    return await db.transaction().execute(async (trx) => {
      const held = await trx.selectFrom('invoice_payment_claims').select(['invoice_id', 'checkout_id']).where('merchant_id', '=', c.merchantId)
        .where('invoice_id', 'in', c.invoiceIds).where('released_at', 'is', null).execute();
      const others = held.filter((h) => h.checkout_id !== c.checkoutId).map((h) => h.invoice_id);
      if (others.length) return { ok: false, heldInvoiceIds: others };
      const rows = c.invoiceIds.map((invoiceId) => ({ checkout_id: c.checkoutId, merchant_id: c.merchantId, invoice_id: invoiceId, payer_id: c.payerId }));
      await trx.insertInto('invoice_payment_claims').values(rows).onConflict((oc) => oc.columns(['checkout_id', 'invoice_id']).doNothing()).execute();
      return { ok: true } as const;
    });
  } catch (err) {
    // Two checkouts raced past the read above: the unique index stops the second, which is refused (and rolled back).
    if ((err as { code?: string }).code === '23505') return { ok: false, heldInvoiceIds: c.invoiceIds };
    throw err;
  }
}

/** Lets the checkout's invoices be paid again (by this payer, another, or an automatic payment). */
export async function releaseClaims(db: Db, merchantId: string, checkoutId: string): Promise<void> {
  await db.updateTable('invoice_payment_claims').set({ released_at: new Date() })
    .where('merchant_id', '=', merchantId).where('checkout_id', '=', checkoutId).where('released_at', 'is', null).execute();
}

/** The held claims on these invoices: which checkout (and whose) is paying each. */
export async function heldClaims(db: Db, merchantId: string, invoiceIds: string[]) {
  if (!invoiceIds.length) return [];
  return db.selectFrom('invoice_payment_claims').select(['invoice_id', 'checkout_id', 'payer_id']).where('merchant_id', '=', merchantId)
    .where('invoice_id', 'in', invoiceIds).where('released_at', 'is', null).execute();
}
