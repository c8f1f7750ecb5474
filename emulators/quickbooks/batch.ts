// POST /v3/company/{realmId}/batch: up to `maxItems` BatchItemRequests (create/update/delete of an entity, or a
// Query) run one after another in one request, each answered by its own BatchItemResponse with the item's bId: the
// entity, a QueryResponse, or a Fault for that item alone (the others still run). As QBO: the batch as a whole may
// carry ?requestid= (a repeat gets the first answer and runs nothing again); items carry none of their own.
import type { EmulatorResponse } from '../support/server';
import type { Ctx } from './customers';
import { docNumbersOf, parseQuery, QueryError, runQuery } from './query';
import { allOf } from './serialize';
import type { EntityName } from './state';

/** The entities a batch item may write, by the property that carries the body. */
const BATCH_ENTITIES: readonly EntityName[] = ['Customer', 'Invoice', 'CreditMemo', 'Payment', 'Vendor', 'Bill', 'VendorCredit', 'BillPayment'];

export type EntityWrite = (ctx: Ctx, entity: EntityName, operation: string, body: any, includes: string[]) => EmulatorResponse;

export function runBatch(ctx: Ctx, body: any, maxItems: number, write: EntityWrite): EmulatorResponse {
  const items = body?.BatchItemRequest;
  if (!Array.isArray(items) || items.length === 0) {
    return ctx.wire.fault(400, 'ValidationFault', [{ Message: 'Request has invalid or unsupported property', Detail: 'BatchItemRequest must be a non-empty array', code: '2010' }]);
  }
  if (items.length > maxItems) {
    return ctx.wire.fault(400, 'ValidationFault', [{ Message: 'Batch size limit exceeded', Detail: `A batch carries at most ${maxItems} items, not ${items.length}`, code: '2010' }]);
  }
  const bIds = items.map((i: any) => i?.bId);
  if (bIds.some((b: unknown) => typeof b !== 'string' || b === '') || new Set(bIds).size !== bIds.length) {
    return ctx.wire.fault(400, 'ValidationFault', [{ Message: 'Request has invalid or unsupported property', Detail: 'Every BatchItemRequest needs its own bId', code: '2010' }]);
  }
  const BatchItemResponse = items.map((item: any) => ({ bId: item.bId, ...runItem(ctx, item, write) }));
  return ctx.wire.ok({ BatchItemResponse });
}

function runItem(ctx: Ctx, item: any, write: EntityWrite): Record<string, unknown> {
  if (typeof item.Query === 'string') {
    try {
      const parsed = parseQuery(item.Query);
      return { QueryResponse: runQuery(parsed, allOf(ctx.realm, parsed.entity, docNumbersOf(parsed))) };
    } catch (err) {
      if (err instanceof QueryError) return faultOf(ctx.wire.queryError(err.message));
      throw err;
    }
  }
  const entity = BATCH_ENTITIES.find((e) => item[e] && typeof item[e] === 'object');
  if (!entity) return faultOf(ctx.wire.unsupported('A batch item carries one entity or a Query'));
  const operation = String(item.operation ?? 'create').toLowerCase();
  const answer = write(ctx, entity, operation, item[entity], []);
  return answer.status === 200 ? { [entity]: (answer.body as Record<string, unknown>)[entity] } : faultOf(answer);
}

function faultOf(answer: EmulatorResponse): Record<string, unknown> {
  return { Fault: (answer.body as { Fault: unknown }).Fault };
}
