// Agreements and their additions (/finance/agreements/{id}/additions): list, create, and PATCH (JSON Patch `replace`
// of quantity, effectiveDate, cancelledDate, serialNumber, unitCost, unitPrice) — what Settle's billing sync changes.
import type { EmulatorServer } from '../support/server';
import { API_BASE, invalid, list, manageError, notFound, objectBody, tenantOf, wireDate } from './routes';
import type { Addition } from './state';

const PATCHABLE = ['quantity', 'effectiveDate', 'cancelledDate', 'serialNumber', 'unitCost', 'unitPrice', 'invoiceDescription'] as const;

export function registerAgreementRoutes(server: EmulatorServer): void {
  server.route('GET', `${API_BASE}/finance/agreements`, (req) => list(req, tenantOf(req).agreements.all()));
  server.route('GET', `${API_BASE}/finance/agreements/:id`, (req) => {
    const agreement = tenantOf(req).agreements.get(Number(req.params.id));
    return agreement ? { status: 200, body: agreement } : notFound('Agreement');
  });
  server.route('POST', `${API_BASE}/finance/agreements`, (req) => {
    const tenant = tenantOf(req);
    const body = objectBody(req);
    if (typeof body?.name !== 'string' || !body.name || body.name.length > 100) return invalid('name', 'name is required (at most 100 characters)');
    const company = tenant.companies.get(Number(body.company?.id));
    if (!company) return invalid('company', 'company must reference an existing company');
    const startDate = wireDate(body.startDate ?? '2020-01-01');
    if (!startDate) return invalid('startDate', 'startDate must be a date');
    return { status: 201, body: tenant.addAgreement(company.id, body.name, startDate.slice(0, 10)) };
  });

  server.route('GET', `${API_BASE}/finance/agreements/:id/additions`, (req) => {
    const tenant = tenantOf(req);
    if (!tenant.agreements.get(Number(req.params.id))) return notFound('Agreement');
    return list(req, tenant.additionsOf(Number(req.params.id)));
  });
  server.route('POST', `${API_BASE}/finance/agreements/:id/additions`, (req) => {
    const tenant = tenantOf(req);
    const agreement = tenant.agreements.get(Number(req.params.id));
    if (!agreement) return notFound('Agreement');
    const body = objectBody(req);
    const product = tenant.catalog.get(Number(body?.product?.id));
    if (!product) return invalid('product', 'product must reference an existing catalog item');
    if (typeof body?.quantity !== 'number' || body.quantity < 0) return invalid('quantity', 'quantity must be a number, 0 or more');
    if (typeof body.billCustomer !== 'string') return invalid('billCustomer', 'billCustomer is required (Billable, DoNotBill, NoCharge)');
    const effectiveDate = body.effectiveDate === undefined ? undefined : wireDate(body.effectiveDate);
    if (body.effectiveDate !== undefined && !effectiveDate) return invalid('effectiveDate', 'effectiveDate must be a date');
    if (body.serialNumber !== undefined && (typeof body.serialNumber !== 'string' || body.serialNumber.length > 50)) return invalid('serialNumber', 'serialNumber is at most 50 characters');
    const addition = tenant.addAddition(agreement.id, product.id, { quantity: body.quantity, unitCost: typeof body.unitCost === 'number' ? body.unitCost : undefined,
      effectiveDate: effectiveDate?.slice(0, 10), serialNumber: body.serialNumber ?? null });
    if (typeof body.invoiceDescription === 'string') addition.invoiceDescription = body.invoiceDescription.slice(0, 6000);
    return { status: 201, body: addition };
  });
  server.route('PATCH', `${API_BASE}/finance/agreements/:id/additions/:additionId`, (req) => {
    const tenant = tenantOf(req);
    const addition = tenant.additions.get(Number(req.params.additionId));
    if (!addition || addition.agreementId !== Number(req.params.id)) return notFound('Addition');
    if (!Array.isArray(req.body)) return manageError(400, 'InvalidObject', 'the body must be a JSON Patch array');
    const changed: Partial<Addition> = {};
    for (const op of req.body as Array<{ op?: string; path?: string; value?: unknown }>) {
      const field = PATCHABLE.find((p) => p.toLowerCase() === String(op.path ?? '').replace(/^\//, '').toLowerCase());
      if ((op.op !== 'replace' && op.op !== 'add') || !field) return manageError(400, 'InvalidObject', `cannot ${op.op} ${op.path}`);
      if (field === 'effectiveDate' || field === 'cancelledDate') {
        const date = op.value === null ? null : wireDate(op.value);
        if (date === undefined) return invalid(field, `${field} must be a date`);
        changed[field] = date;
      } else if (field === 'quantity' || field === 'unitCost' || field === 'unitPrice') {
        if (typeof op.value !== 'number' || op.value < 0) return invalid(field, `${field} must be a number, 0 or more`);
        changed[field] = op.value;
      } else {
        if (op.value !== null && typeof op.value !== 'string') return invalid(field, `${field} must be text`);
        (changed as Record<string, unknown>)[field] = op.value;
      }
    }
    Object.assign(addition, changed);
    return { status: 200, body: addition };
  });
}
