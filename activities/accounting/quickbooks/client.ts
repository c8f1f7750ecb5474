// The only file that touches node-quickbooks (callback-only, and "pretty much abandoned" by its maintainer):
// a fresh SDK object per call with a fresh access token, each call wrapped in a promise with a deadline, and
// every failure turned into a port error. Swapping the SDK for plain HTTP later means rewriting this file only.
// One call goes around the SDK: its batch() cannot carry a requestid (the SDK takes it from the entity, and a batch
// has none), so batch requests are plain HTTP here, with the same headers, deadline and error mapping.
import QuickBooks from 'node-quickbooks';
import { PlatformNotFound, PlatformUnavailable } from '../platform';
import { toPlatformError } from './errors';
import type { QboObject } from './mapping';

/** QBO serves minor versions below 75 as 75 since 2025; ask for it explicitly. */
export const MINOR_VERSION = '75';
/** The most rows one QBO query returns. */
export const MAX_RESULTS = 1000;

export type Entity = 'Customer' | 'Invoice' | 'CreditMemo' | 'Payment' | 'Vendor' | 'Bill' | 'VendorCredit' | 'BillPayment' | 'Account' | 'RefundReceipt' | 'Deposit';

export interface Criterion {
  field: string;
  value: unknown;
  operator?: '=' | 'IN' | '<' | '>' | '<=' | '>=' | 'LIKE';
}

export interface QboConnection {
  endpoint: string;
  realmId: string;
  accessToken: () => Promise<string>;
  /** node-quickbooks sets no timeout of its own; a call that outlasts this fails as PlatformUnavailable. */
  timeoutMs: number;
}

type Callback = (err: unknown, data?: any) => void;
type Sdk = QuickBooks & Record<string, any>;

export class QboClient {
  constructor(private readonly conn: QboConnection) {}

  private async sdk(): Promise<Sdk> {
    const token = await this.conn.accessToken();
    // (consumerKey, consumerSecret, token, tokenSecret, realmId, useSandbox, debug, minorversion, oauthversion,
    // refreshToken): with OAuth 2.0 only the bearer token is used; refreshing is Settle's business, not the SDK's.
    const qbo = new QuickBooks('settle', 'settle', token, false, this.conn.realmId, false, false, MINOR_VERSION, '2.0', null) as Sdk;
    qbo.endpoint = this.conn.endpoint.endsWith('/') ? this.conn.endpoint : `${this.conn.endpoint}/`;
    return qbo;
  }

  private async call<T>(what: string, invoke: (qbo: Sdk, cb: Callback) => void): Promise<T> {
    const qbo = await this.sdk();
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      // The request itself cannot be cancelled through the SDK; a late answer is ignored (and a late write is
      // harmless: the retry carries the same requestid).
      const timer = setTimeout(() => finish(new PlatformUnavailable(`QuickBooks did not answer ${what} within ${this.conn.timeoutMs} ms`)), this.conn.timeoutMs);
      const finish = (err: unknown, data?: T) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(toPlatformError(err, what));
        else resolve(data as T);
      };
      try {
        invoke(qbo, (err, data) => finish(err, data));
      } catch (err) {
        finish(err);
      }
    });
  }

  /** Creates an entity; `requestId` makes the write idempotent (QBO's ?requestid=). */
  create(entity: Entity, body: QboObject, requestId: string): Promise<QboObject> {
    return this.call(`create ${entity}`, (qbo, cb) => qbo[`create${entity}`]({ ...body, requestId }, cb));
  }

  /** Sparse update (Id and SyncToken required). */
  update(entity: Entity, body: QboObject, requestId: string): Promise<QboObject> {
    return this.call(`update ${entity} ${body.Id}`, (qbo, cb) => qbo[`update${entity}`]({ ...body, sparse: true, requestId }, cb));
  }

  async delete(entity: Entity, target: { Id: string; SyncToken: string }): Promise<void> {
    await this.call(`delete ${entity} ${target.Id}`, (qbo, cb) => qbo[`delete${entity}`]({ Id: target.Id, SyncToken: target.SyncToken }, cb));
  }

  /** The entity, or undefined if QBO has none by that id (never made, or deleted). */
  async read(entity: Entity, id: string): Promise<QboObject | undefined> {
    try {
      return await this.call<QboObject>(`read ${entity} ${id}`, (qbo, cb) => qbo[`get${entity}`](id, cb));
    } catch (err) {
      if (err instanceof PlatformNotFound) return undefined;
      throw err;
    }
  }

  /** One page of a query: rows startPosition.. (1-based), at most maxResults. */
  async query(entity: Entity, criteria: Criterion[], startPosition = 1, maxResults = MAX_RESULTS): Promise<QboObject[]> {
    const plural = entity === 'Customer' ? 'Customers' : `${entity}s`;
    const all = [...criteria, { field: 'offset', value: startPosition }, { field: 'limit', value: maxResults }];
    const data = await this.call<QboObject>(`query ${entity}`, (qbo, cb) => qbo[`find${plural}`](all, cb));
    const rows = data?.QueryResponse?.[entity];
    return Array.isArray(rows) ? rows : [];
  }

  /**
   * One batch request (POST /batch): `items` are BatchItemRequests (each with its bId); the answer's
   * BatchItemResponses, in the order of `items`. `requestId` makes the whole batch idempotent (QBO's ?requestid=).
   */
  async batch(items: QboObject[], requestId: string): Promise<QboObject[]> {
    const what = `batch of ${items.length}`;
    const base = this.conn.endpoint.endsWith('/') ? this.conn.endpoint : `${this.conn.endpoint}/`;
    const url = `${base}${this.conn.realmId}/batch?${new URLSearchParams({ minorversion: MINOR_VERSION, requestid: requestId })}`;
    let res: Response;
    let data: unknown;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${await this.conn.accessToken()}`, accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({ BatchItemRequest: items }),
        signal: AbortSignal.timeout(this.conn.timeoutMs),
      });
      const text = await res.text();
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    } catch (err) {
      if ((err as Error)?.name === 'TimeoutError') throw new PlatformUnavailable(`QuickBooks did not answer ${what} within ${this.conn.timeoutMs} ms`);
      throw new PlatformUnavailable(`QuickBooks could not be reached (${what}): ${(err as Error)?.message ?? String(err)}`);
    }
    // The shape node-quickbooks hands over (an axios-like response), so errors.ts maps it as every other call's.
    if (!res.ok || (data as QboObject)?.Fault) throw toPlatformError({ response: { status: res.status, headers: Object.fromEntries(res.headers), data } }, what);
    const answered = new Map<string, QboObject>(((data as QboObject)?.BatchItemResponse ?? []).map((r: QboObject) => [String(r.bId), r]));
    return items.map((i) => answered.get(String(i.bId)) ?? { bId: i.bId, Fault: { Error: [{ code: '0', Message: 'QuickBooks returned no result for this item' }] } });
  }

  /** Every row of a query, page by page. */
  async queryAll(entity: Entity, criteria: Criterion[]): Promise<QboObject[]> {
    const rows: QboObject[] = [];
    for (let start = 1; ; start += MAX_RESULTS) {
      const page = await this.query(entity, criteria, start, MAX_RESULTS);
      rows.push(...page);
      if (page.length < MAX_RESULTS) return rows;
    }
  }
}
