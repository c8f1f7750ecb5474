// Manage's paging: `page`/`pageSize` (at most 1,000), or forward-only (`pagination-type: forward-only` header or a
// `pageId` parameter): records after the id in `pageId`, in id order, with a `Link: <…>; rel="next"` header to the
// next page while there is one.
import type { EmulatorRequest, EmulatorResponse } from '../support/server';

export const MAX_PAGE_SIZE = 1000;

export function pageOf(req: EmulatorRequest, records: Array<{ id: number }>): EmulatorResponse {
  const requested = Number(req.query.get('pageSize') ?? 25);
  const pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, Number.isFinite(requested) ? requested : 25));
  const next = new URL(`http://${req.headers.host ?? '127.0.0.1'}${req.path}`);
  req.query.forEach((v, k) => next.searchParams.set(k, v));
  const forwardOnly = String(req.headers['pagination-type'] ?? '').toLowerCase() === 'forward-only' || req.query.has('pageId');
  let body: Array<{ id: number }>;
  let more: boolean;
  if (forwardOnly) {
    const after = Number(req.query.get('pageId') ?? 0);
    const rest = [...records].sort((a, b) => a.id - b.id).filter((r) => r.id > after);
    body = rest.slice(0, pageSize);
    more = rest.length > pageSize;
    next.searchParams.set('pageId', String(body[body.length - 1]?.id ?? after));
  } else {
    const page = Math.max(1, Number(req.query.get('page') ?? 1) || 1);
    body = records.slice((page - 1) * pageSize, page * pageSize);
    more = records.length > page * pageSize;
    next.searchParams.set('page', String(page + 1));
  }
  return { status: 200, body, headers: more ? { link: `<${next.toString()}>; rel="next"` } : {} };
}
