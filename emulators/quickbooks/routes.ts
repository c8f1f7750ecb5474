// The /v3/company/{realmId} API as node-quickbooks calls it: POST /{entity} creates (or updates when the body has
// an Id), POST /{entity}?operation=update|delete|void, GET /{entity}/{id}, GET /query?query=... . Writes honour
// ?requestid= per realm: a repeat gets the first answer again, as QBO does (QBO ignores the body of a repeat;
// the emulator only refuses a key reused for another kind of write, to catch adapters that forget to derive keys).
import type { IdempotencyStore } from '../support/idempotency';
import type { EmulatorRequest, EmulatorResponse, EmulatorServer } from '../support/server';
import { runBatch } from './batch';
import { createBillPayment } from './bill-payments';
import { createCustomer, createVendor, type Ctx } from './customers';
import { createPayment, deletePayment } from './payments';
import { createPurchaseForm } from './purchases';
import { createDeposit, createRefundReceipt } from './refunds-deposits';
import { docNumbersOf, parseQuery, QueryError, runQuery } from './query';
import { createSalesForm, deleteSalesForm, updateSalesForm, voidSalesForm } from './sales-forms';
import { allOf } from './serialize';
import type { EntityName, QuickBooksState } from './state';
import type { Wire } from './wire';

const ENTITY_PATHS: Record<string, EntityName> = {
  customer: 'Customer',
  invoice: 'Invoice',
  creditmemo: 'CreditMemo',
  payment: 'Payment',
  item: 'Item',
  account: 'Account',
  vendor: 'Vendor',
  bill: 'Bill',
  vendorcredit: 'VendorCredit',
  billpayment: 'BillPayment',
  refundreceipt: 'RefundReceipt',
  deposit: 'Deposit',
};

/** The largest requestid QBO accepts. */
const MAX_REQUEST_ID = 50;

export function registerApiRoutes(server: EmulatorServer, state: QuickBooksState, wire: Wire, idempotency: IdempotencyStore, opts: { batchItems: number }): void {
  const ctxFor = (req: EmulatorRequest): Ctx | undefined => {
    const realm = state.realms.get(req.params.realmId);
    return realm && { realm, wire };
  };
  const noRealm = (req: EmulatorRequest) => wire.fault(403, 'SERVICE', [
    { Message: 'message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403', Detail: `No company ${req.params.realmId}`, code: '3100' },
  ]);

  const query = (req: EmulatorRequest): EmulatorResponse => {
    const ctx = ctxFor(req);
    if (!ctx) return noRealm(req);
    const text = req.query.get('query') ?? (typeof req.body === 'string' ? req.body : '');
    try {
      const parsed = parseQuery(text);
      return wire.ok({ QueryResponse: runQuery(parsed, allOf(ctx.realm, parsed.entity, docNumbersOf(parsed))) });
    } catch (err) {
      if (err instanceof QueryError) return wire.queryError(err.message);
      throw err;
    }
  };
  server.route('GET', '/v3/company/:realmId/query', query);
  server.route('POST', '/v3/company/:realmId/query', query);

  // Before /:entity, which would take "batch" for an entity.
  server.route('POST', '/v3/company/:realmId/batch', async (req) => {
    const ctx = ctxFor(req);
    if (!ctx) return noRealm(req);
    const requestId = req.query.get('requestid') ?? undefined;
    if (requestId !== undefined && (requestId.length === 0 || requestId.length > MAX_REQUEST_ID)) {
      return wire.fault(400, 'ValidationFault', [{ Message: 'Invalid requestid', Detail: `requestid must be 1 to ${MAX_REQUEST_ID} characters, not ${requestId.length}`, code: '2050' }]);
    }
    return idempotency.once(ctx.realm.id, requestId, 'batch', () => runBatch(ctx, req.body, opts.batchItems, write),
      () => wire.validation('6000', `requestid ${requestId} was already used for another kind of request`));
  });

  server.route('GET', '/v3/company/:realmId/:entity/:id', (req) => {
    const ctx = ctxFor(req);
    if (!ctx) return noRealm(req);
    const entity = ENTITY_PATHS[req.params.entity.toLowerCase()];
    if (!entity) return { status: 404, body: { message: `no emulated entity ${req.params.entity}` } };
    const found = allOf(ctx.realm, entity).find((o) => o.Id === req.params.id);
    return found ? wire.ok({ [entity]: found }) : wire.notFound(entity, req.params.id);
  });

  server.route('POST', '/v3/company/:realmId/:entity', async (req) => {
    const ctx = ctxFor(req);
    if (!ctx) return noRealm(req);
    const entity = ENTITY_PATHS[req.params.entity.toLowerCase()];
    if (!entity) return { status: 404, body: { message: `no emulated entity ${req.params.entity}` } };
    if (!req.body || typeof req.body !== 'object') {
      return wire.fault(400, 'ValidationFault', [{ Message: 'Request has invalid or unsupported property', Detail: 'The request body is not a JSON object', code: '2010' }]);
    }
    const requestId = req.query.get('requestid') ?? undefined;
    if (requestId !== undefined && (requestId.length === 0 || requestId.length > MAX_REQUEST_ID)) {
      return wire.fault(400, 'ValidationFault', [{ Message: 'Invalid requestid', Detail: `requestid must be 1 to ${MAX_REQUEST_ID} characters, not ${requestId.length}`, code: '2050' }]);
    }
    const operation = (req.query.get('operation') ?? (req.body.Id !== undefined ? 'update' : 'create')).toLowerCase();
    const includes = (req.query.get('include') ?? '').toLowerCase().split(',');
    return idempotency.once(
      ctx.realm.id,
      requestId,
      `${entity} ${operation}`,
      () => write(ctx, entity, operation, req.body, includes),
      () => wire.validation('6000', `requestid ${requestId} was already used for another kind of request`),
    );
  });
}

function write(ctx: Ctx, entity: EntityName, operation: string, body: any, includes: string[]): EmulatorResponse {
  const unsupported = () => ctx.wire.unsupported(`Operation ${operation} is not supported on ${entity}`);
  switch (entity) {
    case 'Customer':
      return operation === 'create' ? createCustomer(ctx, body) : unsupported();
    case 'Invoice':
    case 'CreditMemo':
      if (operation === 'create') return createSalesForm(ctx, entity, body, includes.includes('allowduplicatedocnum'));
      if (operation === 'update') return updateSalesForm(ctx, entity, body);
      if (operation === 'delete') return deleteSalesForm(ctx, entity, body);
      // QBO voids invoices with ?operation=void; node-quickbooks offers no such call for credit memos.
      if (operation === 'void' && entity === 'Invoice') return voidSalesForm(ctx, entity, body);
      return unsupported();
    case 'Payment':
      if (operation === 'create') return createPayment(ctx, body);
      if (operation === 'delete') return deletePayment(ctx, body);
      return unsupported();
    case 'Vendor':
      return operation === 'create' ? createVendor(ctx, body) : unsupported();
    // The payable side is emulated as far as Settle uses it: created, read and queried, never changed.
    case 'Bill':
    case 'VendorCredit':
      return operation === 'create' ? createPurchaseForm(ctx, entity, body) : unsupported();
    case 'BillPayment':
      return operation === 'create' ? createBillPayment(ctx, body) : unsupported();
    case 'RefundReceipt':
      return operation === 'create' ? createRefundReceipt(ctx, body) : unsupported();
    case 'Deposit':
      return operation === 'create' ? createDeposit(ctx, body) : unsupported();
    default:
      return unsupported();
  }
}
