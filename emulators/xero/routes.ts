// What every API route shares: the tenant of the request (authentication has already checked it), writes that
// honour Idempotency-Key, and Xero's batch semantics for PUT/POST collections:
// - summarizeErrors=true (Xero's default): any invalid element → 400 ValidationException listing the failed
//   elements; the valid elements of the batch are still created (as Xero does).
// - summarizeErrors=false: 200 with every element, each failed one carrying its own ValidationErrors and
//   StatusAttributeString "ERROR".
import { createHash } from 'node:crypto';
import type { IdempotencyStore } from '../support/idempotency';
import type { EmulatorRequest, EmulatorResponse } from '../support/server';
import type { TenantLedger, XeroState } from './state';
import type { Wire } from './wire';

/** Xero's documented limit on Idempotency-Key. */
export const MAX_IDEMPOTENCY_KEY = 128;
/** Xero pages GET collections by 100 unless pageSize says otherwise (max 1000). */
export const DEFAULT_PAGE_SIZE = 100;

export interface Ctx {
  state: XeroState;
  wire: Wire;
  idempotency: IdempotencyStore;
}

export type ElementResult =
  | { ok: true; wire: Record<string, unknown> }
  | { ok: false; echo: Record<string, unknown>; messages: string[] };

export function tenantOf(ctx: Ctx, req: EmulatorRequest): TenantLedger {
  return ctx.state.tenant(String(req.headers['xero-tenant-id']));
}

/** A boolean query parameter (Xero accepts true/false in any case). */
export function flag(req: EmulatorRequest, name: string, fallback: boolean): boolean {
  const value = req.query.get(name);
  return value === null ? fallback : value.toLowerCase() === 'true';
}

/** A comma-separated list parameter (the SDK joins arrays with commas). */
export function list(req: EmulatorRequest, name: string): string[] | undefined {
  const value = req.query.get(name);
  return value === null ? undefined : value.split(',').map((v) => v.trim().replace(/^"|"$/g, '')).filter(Boolean);
}

/** The elements of a write body: { Invoices: [...] } or a single element object. */
export function elementsOf(body: unknown, collection: string): any[] | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const list = (body as any)[collection];
  if (Array.isArray(list)) return list;
  return list === undefined && Object.keys(body).length > 0 ? [body] : undefined;
}

/** Runs a write once per Idempotency-Key (per tenant); a repeat gets the first answer and changes nothing. */
export async function writeOnce(ctx: Ctx, req: EmulatorRequest, apply: () => EmulatorResponse): Promise<EmulatorResponse> {
  const header = req.headers['idempotency-key'];
  const key = Array.isArray(header) ? header[0] : header;
  if (key !== undefined && (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY)) {
    return ctx.wire.refuse({}, `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY} characters`);
  }
  const fingerprint = createHash('sha256').update(`${req.method} ${req.path.toLowerCase()}\0${req.rawBody}`).digest('hex');
  return ctx.idempotency.once(String(req.headers['xero-tenant-id']), key, fingerprint, apply,
    () => ctx.wire.refuse({}, `The Idempotency-Key ${key} was already used for a different request`));
}

/** Applies `each` to every element of a collection write, then answers as Xero does for summarizeErrors. */
export function batchWrite(ctx: Ctx, req: EmulatorRequest, collection: string, each: (element: any) => ElementResult): EmulatorResponse {
  const elements = elementsOf(req.body, collection);
  if (!elements) return ctx.wire.invalidPostData(`The request body must be a JSON object with a ${collection} array`);
  const results = elements.map((element) => (element && typeof element === 'object' ? each(element) : { ok: false as const, echo: {}, messages: ['Each element must be an object'] }));
  const failed = results.filter((r): r is Extract<ElementResult, { ok: false }> => !r.ok);
  if (flag(req, 'summarizeErrors', true)) {
    if (failed.length) return ctx.wire.validation(failed.map((f) => ({ ...f.echo, ValidationErrors: f.messages.map((Message) => ({ Message })) })));
    return ctx.wire.ok({ [collection]: results.map((r) => (r as { wire: unknown }).wire) });
  }
  return ctx.wire.ok({
    [collection]: results.map((r) => r.ok
      ? { ...r.wire, StatusAttributeString: 'OK' }
      : { ...r.echo, HasValidationErrors: true, StatusAttributeString: 'ERROR', ValidationErrors: r.messages.map((Message) => ({ Message })) }),
  });
}

/** One page of `items` (1-based `page`), and the pagination block Xero adds when paging. */
export function paged<T>(req: EmulatorRequest, items: T[]): { items: T[]; pagination?: Record<string, number>; paging: boolean } {
  const pageParam = req.query.get('page');
  if (pageParam === null) return { items, paging: false };
  const page = Math.max(1, Number.parseInt(pageParam, 10) || 1);
  const pageSize = Math.min(1000, Math.max(1, Number.parseInt(req.query.get('pageSize') ?? '', 10) || DEFAULT_PAGE_SIZE));
  return {
    items: items.slice((page - 1) * pageSize, page * pageSize),
    pagination: { page, pageSize, pageCount: Math.ceil(items.length / pageSize), itemCount: items.length },
    paging: true,
  };
}
