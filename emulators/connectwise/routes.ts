// What every emulated Manage route shares: the API base path, the caller's tenant (set by the auth middleware),
// Manage's error shape, list answers (conditions, then paging) and body checks.
import type { EmulatorRequest, EmulatorResponse } from '../support/server';
import { ConditionError, filterByConditions } from './conditions';
import { pageOf } from './paging';
import type { ManageTenant } from './state';

export const API_BASE = '/v4_6_release/apis/3.0';

const TENANT = Symbol('tenant');

export function setTenant(req: EmulatorRequest, tenant: ManageTenant): void {
  (req as unknown as Record<symbol, ManageTenant>)[TENANT] = tenant;
}

export function tenantOf(req: EmulatorRequest): ManageTenant {
  return (req as unknown as Record<symbol, ManageTenant>)[TENANT];
}

export function manageError(status: number, code: string, message: string, errors?: Array<{ code: string; message: string; resource?: string; field?: string }>): EmulatorResponse {
  return { status, body: { code, message, ...(errors ? { errors } : {}) } };
}

export const notFound = (what: string) => manageError(404, 'NotFound', `${what} not found`);
export const invalid = (field: string, message: string, code = 'InvalidField') =>
  manageError(400, 'InvalidObject', `The object is invalid, see errors for details.`, [{ code, message, field }]);

export function list(req: EmulatorRequest, records: Array<{ id: number }>): EmulatorResponse {
  try {
    const filtered = filterByConditions(records, req.query.get('conditions'));
    const desc = /\bdesc\b/i.test(req.query.get('orderBy') ?? '');
    return pageOf(req, desc ? [...filtered].reverse() : filtered);
  } catch (err) {
    if (err instanceof ConditionError) return manageError(400, 'InvalidObject', `conditions: ${err.message}`);
    throw err;
  }
}

export function objectBody(req: EmulatorRequest): Record<string, any> | undefined {
  return req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body : undefined;
}

/** `2026-11-01T00:00:00Z` (Manage's date form) from what a client sent, or undefined when it is not a date. */
export function wireDate(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}(T00:00:00Z?)?$/.test(value)) return undefined;
  return `${value.slice(0, 10)}T00:00:00Z`;
}
