// Surcharged Pay Now card payments in the books and their refunds, in Xero and in QuickBooks (emulators), against the
// real stack (Temporal, Postgres, workers, API) and the Stripe emulator. The invoice is paid exactly; the surcharge
// is its own invoice on the merchant's surcharge revenue line and tax code, paid. A full refund follows the
// merchant's rule: with "refund the surcharge", Stripe refunds invoice + surcharge and the books reverse both apart
// (the surcharge on its own line); with "keep it", Stripe refunds the invoice's amount only and the surcharge stays.
import { refundWorkflowId } from '../../../workflows/refunds/definitions';
import { payInvoiceByCard, payQuoteOnPage, quickBooksPayingWorld, xeroPayingWorld, type BooksWorld, type PayingMerchant } from '../../support/refunds';

interface Books {
  world: BooksWorld;
  m: PayingMerchant;
  /** The surcharge revenue line: a Xero account code, a QuickBooks Item id. */
  revenueLine: string;
  taxCode: string;
  /** The tax of the invoices' own reversal line (Settle's default for the platform). */
  invoiceTax: string | undefined;
  /** The reversals in the books of this customer's refunds: [amount, line, tax] of each line. */
  reversals(contactId: string): Array<[number, string, string | undefined]>;
  /** The payments posted against an invoice, in minor units. */
  paymentsOf(invoiceId: string): number[];
  /** A credit note's total, in minor units. */
  creditNoteTotal(creditNoteId: string): number | undefined;
  close(): Promise<void>;
}

async function xeroWorld(): Promise<Books> {
  const { quoteWorld: q, world, m, close, paymentsOf } = await xeroPayingWorld();
  return {
    world, m, revenueLine: '260', taxCode: 'NONE', invoiceTax: 'NONE', close, paymentsOf,
    creditNoteTotal: (id) => q.xero.ledger().creditNotes.get(id)?.totalCents,
    reversals: (contactId) => [...q.xero.ledger().creditNotes.values()].filter((n) => n.contactId === contactId && n.reference?.startsWith('Refund '))
      .flatMap((n) => n.lines.map((l): [number, string, string | undefined] => [l.lineAmountCents, l.accountCode ?? '', l.taxType])),
  };
}

async function quickBooksWorld(): Promise<Books> {
  const { qb, world, m, close, paymentsOf } = await quickBooksPayingWorld();
  return {
    world, m, revenueLine: '1', taxCode: 'TAX', invoiceTax: undefined, close, paymentsOf,
    creditNoteTotal: (id) => qb.realm().creditMemos.get(id)?.totalCents,
    reversals: (contactId) => [...qb.realm().refundReceipts.values()].filter((r) => r.customerId === contactId)
      .flatMap((r) => r.lines.map((l): [number, string, string | undefined] => [l.amountCents, l.itemId, l.taxCode])),
  };
}

describe.each([['Xero', xeroWorld], ['QuickBooks', quickBooksWorld]] as const)('surcharges in %s', (_name, start) => {
  let b: Books;
  beforeAll(async () => {
    b = await start();
  });
  afterAll(() => b?.close());

  const settings = (refundSurcharge: boolean) => ({
    enabled: true, currency: 'USD', merchantCountry: 'US', merchantState: 'NY', cards: { visa: { percent: '3.00', fixed: '0.30' } },
    books: { revenueAccountCode: b.revenueLine, taxCode: b.taxCode }, refundSurcharge,
  });
  const intentsOf = (id: string) => [...b.world.stripe.emu.state.all()].flatMap((a) => [...a.paymentIntents.values()]).filter((i) => i.id === id);
  const stripeRefunds = (intentId: string) => [...b.world.stripe.emu.state.all()].flatMap((a) => [...a.refunds.values()]).filter((r) => r.payment_intent === intentId);
  const surchargeOf = (paymentId: string) => b.world.stack.db.selectFrom('payment_surcharges').selectAll().where('payment_id', '=', paymentId).executeTakeFirst();

  async function refundAll(paymentId: string) {
    const asked = await b.m.merchant('POST', `/v1/payments/${paymentId}/refunds`, { body: {}, headers: { 'Idempotency-Key': `full-${paymentId}` } });
    expect(asked.status).toBe(202);
    expect(await b.world.stack.client.workflow.getHandle(refundWorkflowId(b.m.merchantId, asked.body.id)).result()).toMatchObject({ status: 'reversed' });
    return asked.body;
  }

  it('posts the invoice exactly and the surcharge apart; a refund gives the surcharge back when the merchant says so, reversed apart', async () => {
    expect((await b.m.merchant('PUT', '/v1/merchant/settings/surcharges', { body: settings(true) })).status).toBe(200);
    const paid = await payInvoiceByCard(b.world, b.m, 100_00, 'pm_card_visa');
    expect(intentsOf(paid.paymentIntentId)).toEqual([expect.objectContaining({ amount: 103_00, amount_received: 103_00, status: 'succeeded' })]);
    expect(await b.world.books.getInvoice(paid.invoiceId)).toMatchObject({ totalMinor: 100_00, amountDueMinor: 0 });
    const surcharge = await (async () => {
      for (let i = 0; i < 200; i++) {
        const row = await surchargeOf(paid.paymentId);
        if (row) return row;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the surcharge never reached the books');
    })();
    expect(surcharge).toMatchObject({ surcharge_minor: 300, sync_status: 'synced' });
    expect(await b.world.books.getInvoice(surcharge.accounting_invoice_id!)).toMatchObject({ contactId: paid.payer.contactId, totalMinor: 300, amountDueMinor: 0 });

    const refund = await refundAll(paid.paymentId);
    expect(refund).toMatchObject({ amount: '100.00', surcharge: '3.00' });
    expect(stripeRefunds(paid.paymentIntentId).map((r) => r.amount)).toEqual([103_00]);
    expect(b.reversals(paid.payer.contactId).sort((x, y) => x[0] - y[0])).toEqual([[300, b.revenueLine, b.taxCode], [100_00, expect.any(String), b.invoiceTax]]);
  });

  it('keeps the surcharge when the merchant says so: Stripe refunds the invoice\'s amount, the books reverse only that', async () => {
    expect((await b.m.merchant('PUT', '/v1/merchant/settings/surcharges', { body: settings(false) })).status).toBe(200);
    const paid = await payInvoiceByCard(b.world, b.m, 50_00, 'pm_card_visa');
    expect(intentsOf(paid.paymentIntentId)[0]).toMatchObject({ amount: 51_50, amount_received: 51_50 }); // 3 % cap of 50.00 = 1.50
    const refund = await refundAll(paid.paymentId);
    expect(refund).toMatchObject({ amount: '50.00', surcharge: '0.00' });
    expect(stripeRefunds(paid.paymentIntentId).map((r) => r.amount)).toEqual([50_00]);
    expect(b.reversals(paid.payer.contactId).map((r) => r[0])).toEqual([50_00]);
  });

  it('a surcharged quote payment: the PF invoice and credit note keep the quote amount, the surcharge is its own invoice; a refund gives it back, reversed apart', async () => {
    expect((await b.m.merchant('PUT', '/v1/merchant/settings/surcharges', { body: settings(true) })).status).toBe(200);
    const paid = await payQuoteOnPage(b.world, b.m, '300.00', 'pm_card_visa');
    expect(intentsOf(paid.paymentIntentId)).toEqual([expect.objectContaining({ amount: 309_00, amount_received: 309_00, status: 'succeeded' })]);
    expect(await b.world.books.getInvoice(paid.invoiceId)).toMatchObject({ totalMinor: 300_00, amountDueMinor: 0 });
    expect(b.paymentsOf(paid.invoiceId)).toEqual([300_00]);
    expect(b.creditNoteTotal(paid.creditNoteId)).toBe(300_00);
    const surcharge = await b.world.stack.db.selectFrom('payment_surcharges').selectAll().where('quote_payment_id', '=', paid.quotePaymentId).executeTakeFirstOrThrow();
    expect(surcharge).toMatchObject({ surcharge_minor: 900, sync_status: 'synced', payment_id: null });
    expect(await b.world.books.getInvoice(surcharge.accounting_invoice_id!)).toMatchObject({ contactId: paid.contactId, totalMinor: 900, amountDueMinor: 0 });
    expect(b.paymentsOf(surcharge.accounting_invoice_id!)).toEqual([900]);

    const refund = await refundAll(paid.quotePaymentId);
    expect(refund).toMatchObject({ amount: '300.00', surcharge: '9.00' });
    expect(stripeRefunds(paid.paymentIntentId).map((r) => r.amount)).toEqual([309_00]);
    expect(b.reversals(paid.contactId).sort((x, y) => x[0] - y[0])).toEqual([[900, b.revenueLine, b.taxCode], [300_00, expect.any(String), b.invoiceTax]]);
  });

  it('a surcharged quote payment refunded under "keep it": Stripe refunds the quote amount only, the surcharge stays in the books', async () => {
    expect((await b.m.merchant('PUT', '/v1/merchant/settings/surcharges', { body: settings(false) })).status).toBe(200);
    const paid = await payQuoteOnPage(b.world, b.m, '80.00', 'pm_card_visa');
    expect(intentsOf(paid.paymentIntentId)[0]).toMatchObject({ amount: 82_40, amount_received: 82_40 }); // 3 % cap of 80.00 = 2.40
    const refund = await refundAll(paid.quotePaymentId);
    expect(refund).toMatchObject({ amount: '80.00', surcharge: '0.00' });
    expect(stripeRefunds(paid.paymentIntentId).map((r) => r.amount)).toEqual([80_00]);
    expect(b.reversals(paid.contactId).map((r) => r[0])).toEqual([80_00]);
  });
});
