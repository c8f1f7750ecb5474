// Agreement invoices, as Manage's "Process Agreements" makes them: POST /finance/invoices of type Agreement bills the
// agreement's additions that are billed in the invoice's month (started by its end, not cancelled by its start), at
// their unit price. An agreement is invoiced once per month: a second invoice for the same month is refused.
import type { EmulatorServer } from '../support/server';
import { API_BASE, invalid, list, notFound, objectBody, tenantOf, wireDate } from './routes';
import type { Addition } from './state';

function billedIn(addition: Addition, first: string, last: string): boolean {
  const started = addition.effectiveDate === null || addition.effectiveDate.slice(0, 10) <= last;
  const cancelled = addition.cancelledDate !== null && addition.cancelledDate.slice(0, 10) <= first;
  return started && !cancelled && addition.billCustomer === 'Billable';
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function registerInvoiceRoutes(server: EmulatorServer): void {
  server.route('GET', `${API_BASE}/finance/invoices`, (req) => list(req, tenantOf(req).invoices.all()));
  server.route('GET', `${API_BASE}/finance/invoices/:id`, (req) => {
    const invoice = tenantOf(req).invoices.get(Number(req.params.id));
    return invoice ? { status: 200, body: invoice } : notFound('Invoice');
  });
  server.route('POST', `${API_BASE}/finance/invoices`, (req) => {
    const tenant = tenantOf(req);
    const body = objectBody(req);
    if (body?.type !== 'Agreement') return invalid('type', 'only Agreement invoices are emulated');
    const agreement = tenant.agreements.get(Number(body.agreement?.id));
    if (!agreement) return invalid('agreement', 'agreement must reference an existing agreement');
    if (Number(body.company?.id) !== agreement.company.id) return invalid('company', "company must be the agreement's company");
    const date = wireDate(body.date);
    if (!date) return invalid('date', 'date must be a date');
    const month = date.slice(0, 7);
    if (tenant.invoices.all().some((i) => i.agreement?.id === agreement.id && i.date.slice(0, 7) === month)) {
      return invalid('agreement', `agreement ${agreement.id} is already invoiced for ${month}`, 'AgreementAlreadyInvoiced');
    }
    const [y, m] = month.split('-').map(Number);
    const first = `${month}-01`;
    const last = `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
    const lines = tenant.additionsOf(agreement.id).filter((a) => billedIn(a, first, last)).map((a) => ({
      additionId: a.id, product: a.product, description: a.invoiceDescription, quantity: a.quantity, unitPrice: a.unitPrice,
      extendedPrice: round2(a.quantity * a.unitPrice),
    }));
    const subtotal = round2(lines.reduce((sum, l) => sum + l.extendedPrice, 0));
    const invoice = tenant.invoices.add({
      invoiceNumber: '', type: 'Agreement', company: agreement.company, agreement: { id: agreement.id, name: agreement.name },
      reference: typeof body.reference === 'string' ? body.reference.slice(0, 50) : '', date, subtotal, total: subtotal, lines,
    });
    invoice.invoiceNumber = `INV${invoice.id}`;
    return { status: 201, body: invoice };
  });
}
