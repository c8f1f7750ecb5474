// Manage's accounting interface and invoice payments, as much as Settle's invoice and payment sync use:
// - GET /finance/accounting/unpostedinvoices: invoices ready for accounting and in no batch yet;
// - POST /finance/accounting/batches {batchIdentifier, includedInvoiceIds?}: a batch of unposted invoices (all of them
//   unless listed); an identifier already used is refused (400 Duplicate), as Manage refuses it; GET lists and reads;
//   the batch's invoices are read with GET /finance/invoices?conditions=glBatch/id=N (full invoices, with lines);
// - PATCH /finance/accounting/batches/{id} [{op: replace, path: exportedFlag, value: true}]: the books have it;
// - GET/POST /finance/invoices/{id}/payments: a payment recorded against an invoice lowers its balance; more than the
//   balance is refused. Like the rest of the emulated Manage, a write is not deduplicated on its Idempotency-Key.
import type { EmulatorServer } from '../support/server';
import { API_BASE, invalid, list, notFound, objectBody, tenantOf, wireDate } from './routes';
import type { Invoice, ManageTenant } from './state';

const round2 = (n: number) => Math.round(n * 100) / 100;
const unposted = (tenant: ManageTenant) => tenant.invoices.all().filter((i) => i.type === 'Standard' && !i.glBatch && !i.exportedFlag);

function unpostedView(i: Invoice) {
  return { id: i.id, invoiceNumber: i.invoiceNumber, invoiceType: i.type, company: i.company, invoiceDate: i.date, dueDate: i.dueDate,
    currency: i.currency, total: i.total, _info: i._info };
}

export function registerAccountingRoutes(server: EmulatorServer): void {
  server.route('GET', `${API_BASE}/finance/accounting/unpostedinvoices`, (req) => list(req, unposted(tenantOf(req)).map(unpostedView)));
  server.route('GET', `${API_BASE}/finance/accounting/batches`, (req) => list(req, tenantOf(req).batches.all()));
  server.route('GET', `${API_BASE}/finance/accounting/batches/:id`, (req) => {
    const batch = tenantOf(req).batches.get(Number(req.params.id));
    return batch ? { status: 200, body: batch } : notFound('Batch');
  });
  server.route('POST', `${API_BASE}/finance/accounting/batches`, (req) => {
    const tenant = tenantOf(req);
    const body = objectBody(req);
    const identifier = body?.batchIdentifier;
    if (typeof identifier !== 'string' || !identifier || identifier.length > 50) return invalid('batchIdentifier', 'batchIdentifier is required (at most 50 characters)');
    if (tenant.batches.all().some((b) => b.batchIdentifier.toLowerCase() === identifier.toLowerCase())) {
      return invalid('batchIdentifier', 'The batch identifier is already in use.', 'Duplicate');
    }
    const wanted = Array.isArray(body!.includedInvoiceIds) ? new Set((body!.includedInvoiceIds as unknown[]).map(Number)) : undefined;
    const invoices = unposted(tenant).filter((i) => !wanted || wanted.has(i.id));
    const batch = tenant.batches.add({ batchIdentifier: identifier, exportInvoicesFlag: true, exportedFlag: false, invoiceIds: invoices.map((i) => i.id),
      _info: { dateEntered: new Date().toISOString() } });
    for (const invoice of invoices) invoice.glBatch = { id: batch.id, identifier };
    return { status: 201, body: batch };
  });
  server.route('PATCH', `${API_BASE}/finance/accounting/batches/:id`, (req) => {
    const tenant = tenantOf(req);
    const batch = tenant.batches.get(Number(req.params.id));
    if (!batch) return notFound('Batch');
    const ops = Array.isArray(req.body) ? (req.body as Array<{ op?: string; path?: string; value?: unknown }>) : [];
    const op = ops.find((o) => o.path?.replace(/^\//, '') === 'exportedFlag');
    if (!op || op.op !== 'replace' || typeof op.value !== 'boolean') return invalid('exportedFlag', 'only exportedFlag can be replaced');
    batch.exportedFlag = op.value;
    for (const id of batch.invoiceIds) {
      const invoice = tenant.invoices.get(id);
      if (invoice) invoice.exportedFlag = op.value;
    }
    return { status: 200, body: batch };
  });

  server.route('GET', `${API_BASE}/finance/invoices/:id/payments`, (req) => {
    const tenant = tenantOf(req);
    const invoiceId = Number(req.params.id);
    if (!tenant.invoices.get(invoiceId)) return notFound('Invoice');
    return list(req, tenant.invoicePayments.all().filter((p) => p.invoice.id === invoiceId));
  });
  server.route('POST', `${API_BASE}/finance/invoices/:id/payments`, (req) => {
    const tenant = tenantOf(req);
    const invoice = tenant.invoices.get(Number(req.params.id));
    if (!invoice) return notFound('Invoice');
    const body = objectBody(req);
    const amount = Number(body?.amount);
    if (!Number.isFinite(amount) || amount <= 0 || round2(amount) !== amount) return invalid('amount', 'amount must be a positive amount with at most two decimals');
    const paymentDate = wireDate(body?.paymentDate);
    if (!paymentDate) return invalid('paymentDate', 'paymentDate must be a date');
    const balance = invoice.balance ?? invoice.total;
    if (amount > round2(balance)) return invalid('amount', `The payment (${amount}) is more than the invoice balance (${balance}).`, 'PaymentExceedsBalance');
    const payment = tenant.invoicePayments.add({ invoice: { id: invoice.id, identifier: invoice.invoiceNumber }, type: typeof body!.type === 'string' ? body!.type : 'Payment',
      amount, paymentDate, transactionId: typeof body!.transactionId === 'string' ? body!.transactionId.slice(0, 50) : null, appliedBy: 'API' });
    invoice.payments = round2((invoice.payments ?? 0) + amount);
    invoice.balance = round2(balance - amount);
    return { status: 201, body: payment };
  });
}
