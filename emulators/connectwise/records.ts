// Companies and catalog products: listed with conditions and paging, created with Manage's checks (an identifier is
// unique in its table; a duplicate is a 400 naming the field).
import type { EmulatorServer } from '../support/server';
import { API_BASE, invalid, list, notFound, objectBody, tenantOf } from './routes';

export function registerRecordRoutes(server: EmulatorServer): void {
  server.route('GET', `${API_BASE}/company/companies`, (req) => list(req, tenantOf(req).companies.all()));
  server.route('GET', `${API_BASE}/company/companies/:id`, (req) => {
    const company = tenantOf(req).companies.get(Number(req.params.id));
    return company ? { status: 200, body: company } : notFound('Company');
  });
  server.route('POST', `${API_BASE}/company/companies`, (req) => {
    const tenant = tenantOf(req);
    const body = objectBody(req);
    if (typeof body?.identifier !== 'string' || !body.identifier || body.identifier.length > 25) return invalid('identifier', 'identifier is required (at most 25 characters)');
    if (typeof body.name !== 'string' || !body.name || body.name.length > 50) return invalid('name', 'name is required (at most 50 characters)');
    if (tenant.companies.all().some((c) => c.identifier.toLowerCase() === body.identifier.toLowerCase())) return invalid('identifier', 'The identifier is already in use.', 'Duplicate');
    return { status: 201, body: tenant.addCompany(body.name, body.identifier) };
  });

  server.route('GET', `${API_BASE}/procurement/catalog`, (req) => list(req, tenantOf(req).catalog.all()));
  server.route('POST', `${API_BASE}/procurement/catalog`, (req) => {
    const tenant = tenantOf(req);
    const body = objectBody(req);
    if (typeof body?.identifier !== 'string' || !body.identifier || body.identifier.length > 25) return invalid('identifier', 'identifier is required (at most 25 characters)');
    if (typeof body.description !== 'string' || !body.description) return invalid('description', 'description is required');
    if (tenant.catalog.all().some((p) => p.identifier.toLowerCase() === body.identifier.toLowerCase())) return invalid('identifier', 'The identifier is already in use.', 'Duplicate');
    const cost = typeof body.cost === 'number' ? body.cost : 0;
    return { status: 201, body: tenant.addProduct(body.identifier, body.description.slice(0, 60), cost) };
  });
}
