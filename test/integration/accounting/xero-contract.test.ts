// Contract test: every request Settle's Xero adapter sends (through the real xero-node SDK, to the emulator) must be
// one Xero's OpenAPI document describes: a known path and method, the required headers and query parameters, only
// declared query parameters with values of the declared types, and a JSON body that validates against the
// operation's requestBody schema. Request bodies are held to more than the spec says: no properties the spec does
// not declare, and none it marks readOnly. The emulator's 2xx/4xx answers are checked (loosely) against the
// response schemas too, so the emulator keeps speaking Xero's wire format.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import type { AccountingPlatform } from '../../../activities/accounting/platform';
import type { XeroRequestLogEntry } from '../../../emulators/xero';
import { startXero, type XeroFixture } from '../../support/xero';

const SPEC_PATH = path.resolve(__dirname, '../../../../shared/specs/xero/xero_accounting.yaml');
if (!existsSync(SPEC_PATH)) {
  throw new Error(`Xero's OpenAPI spec is missing at ${SPEC_PATH}: the Xero contract test cannot run without it (shared/ must sit beside the repo).`);
}

const API_PREFIX = '/api.xro/2.0';
const SPEC_ID = 'https://settle.test/xero_accounting.json';

type Mode = 'request' | 'response';

/**
 * An OpenAPI 3.0 schema as JSON Schema (draft-07) for ajv: siblings of $ref are dropped (OAS 3.0 ignores them),
 * `nullable` becomes a null type, `x-*`, `example`, `externalDocs` and `default` go. In request mode readOnly
 * properties become `false` (must not be sent) and objects with declared properties take no others.
 */
function toJsonSchema(node: any, mode: Mode): any {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, mode));
  if (!node || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') return { $ref: node.$ref.replace(/^#/, `${SPEC_ID}#`) };
  if (mode === 'request' && node.readOnly === true) return false;
  const out: any = {};
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('x-') || ['example', 'externalDocs', 'default', 'nullable', 'readOnly', 'writeOnly', 'xml', 'discriminator'].includes(k)) continue;
    out[k] = k === 'properties'
      ? Object.fromEntries(Object.entries(v as object).map(([name, s]) => [name, toJsonSchema(s, mode)]))
      : toJsonSchema(v, mode);
  }
  if (node.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  if (mode === 'request' && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

interface Param {
  name: string;
  in: 'query' | 'header' | 'path' | 'cookie';
  required?: boolean;
  schema?: any;
}

interface Operation {
  id: string;
  method: string;
  template: string;
  pattern: RegExp;
  pathParams: string[];
  params: Param[];
  body?: { required: boolean; validate: ValidateFunction };
  responses: Map<string, ValidateFunction>;
}

function loadSpec() {
  const doc = YAML.parse(readFileSync(SPEC_PATH, 'utf8'));
  const ajvFor = (mode: Mode) => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: SPEC_ID, components: { schemas: toJsonSchema(doc.components.schemas, mode) } });
    return ajv;
  };
  const requestAjv = ajvFor('request');
  const responseAjv = ajvFor('response');
  const resolve = (p: any): Param => (p.$ref ? doc.components.parameters[p.$ref.split('/').pop()] : p);
  const compiled = new Map<string, ValidateFunction>();
  const compile = (ajv: Ajv, mode: Mode, schema: any) => {
    const id = `${mode}:${JSON.stringify(schema)}`;
    if (!compiled.has(id)) compiled.set(id, ajv.compile(toJsonSchema(schema, mode)));
    return compiled.get(id)!;
  };
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries<any>(doc.paths)) {
    const shared: Param[] = (item.parameters ?? []).map(resolve);
    for (const method of ['get', 'put', 'post', 'delete', 'patch']) {
      const op = item[method];
      if (!op) continue;
      const own: Param[] = (op.parameters ?? []).map(resolve);
      const params = [...shared.filter((s) => !own.some((o) => o.name === s.name && o.in === s.in)), ...own];
      const pathParams: string[] = [];
      const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name) => (pathParams.push(name), '([^/]+)'));
      const json = op.requestBody?.content?.['application/json']?.schema;
      const responses = new Map<string, ValidateFunction>();
      for (const [code, response] of Object.entries<any>(op.responses ?? {})) {
        const r = response.$ref ? doc.components.responses[response.$ref.split('/').pop()] : response;
        const schema = r?.content?.['application/json']?.schema;
        if (schema) responses.set(code, compile(responseAjv, 'response', schema));
      }
      operations.push({
        id: op.operationId, method: method.toUpperCase(), template, pattern: new RegExp(`^${source}$`), pathParams, params,
        body: json ? { required: Boolean(op.requestBody.required), validate: compile(requestAjv, 'request', json) } : undefined,
        responses,
      });
    }
  }
  return { operations, paramAjv: requestAjv };
}

const spec = loadSpec();

/** A query parameter's text as the type its schema declares (arrays are comma-joined: style form, explode false). */
function coerce(text: string, schema: any): unknown {
  switch (schema?.type) {
    case 'boolean': return text === 'true' ? true : text === 'false' ? false : text;
    case 'integer': return /^-?\d+$/.test(text) ? Number(text) : text;
    case 'number': return Number.isFinite(Number(text)) && text.trim() !== '' ? Number(text) : text;
    case 'array': return text.split(',').map((t) => coerce(t, schema.items));
    default: return text;
  }
}

function paramProblems(where: string, value: unknown, schema: any): string[] {
  if (!schema) return [];
  const validate = spec.paramAjv.compile(toJsonSchema(schema, 'request'));
  return validate(value) ? [] : [`${where}: ${spec.paramAjv.errorsText(validate.errors)}`];
}

/** Why a logged request is not one the spec describes ([] if it is). */
function requestProblems(entry: Pick<XeroRequestLogEntry, 'method' | 'path' | 'query' | 'headers' | 'body'>): string[] {
  const where = `${entry.method} ${entry.path}`;
  if (!entry.path.startsWith(API_PREFIX)) return [`${where}: not under ${API_PREFIX}`];
  const rest = entry.path.slice(API_PREFIX.length);
  const op = spec.operations.find((o) => o.method === entry.method && o.pattern.test(rest));
  if (!op) return [`${where}: no such operation in the spec`];
  const problems: string[] = [];
  const match = op.pattern.exec(rest)!;
  op.pathParams.forEach((name, i) => {
    const param = op.params.find((p) => p.in === 'path' && p.name === name);
    problems.push(...paramProblems(`${where} path ${name}`, decodeURIComponent(match[i + 1]), param?.schema));
  });
  for (const param of op.params.filter((p) => p.in === 'header')) {
    const value = entry.headers[param.name.toLowerCase()];
    if (value === undefined) {
      if (param.required) problems.push(`${where}: required header ${param.name} is missing`);
      continue;
    }
    problems.push(...paramProblems(`${where} header ${param.name}`, value, param.schema));
  }
  if (!/^Bearer \S+$/.test(String(entry.headers.authorization ?? ''))) problems.push(`${where}: no Bearer token (the spec's OAuth2 security)`);
  for (const [name, text] of Object.entries(entry.query)) {
    const param = op.params.find((p) => p.in === 'query' && p.name === name);
    if (!param) problems.push(`${where}: query parameter ${name} is not in the spec`);
    else problems.push(...paramProblems(`${where} query ${name}`, coerce(text, param.schema), param.schema));
  }
  for (const param of op.params.filter((p) => p.in === 'query' && p.required)) {
    if (entry.query[param.name] === undefined) problems.push(`${where}: required query parameter ${param.name} is missing`);
  }
  const empty = entry.body === undefined || entry.body === '' || (typeof entry.body === 'object' && entry.body !== null && !Array.isArray(entry.body) && Object.keys(entry.body).length === 0);
  if (!op.body) {
    // axios sends "{}" with GETs and DELETEs; anything more is a body the operation does not take.
    if (!empty) problems.push(`${where}: ${op.id} takes no body`);
  } else if (empty) {
    if (op.body.required) problems.push(`${where}: ${op.id} requires a body`);
  } else {
    if (!String(entry.headers['content-type'] ?? '').includes('application/json')) problems.push(`${where}: body is not application/json`);
    if (!op.body.validate(entry.body)) problems.push(`${where} body: ${spec.paramAjv.errorsText(op.body.validate.errors, { dataVar: 'body' })}`);
  }
  return problems;
}

function responseProblems(entry: XeroRequestLogEntry): string[] {
  const op = spec.operations.find((o) => o.method === entry.method && o.pattern.test(entry.path.slice(API_PREFIX.length)));
  const validate = op?.responses.get(String(entry.status));
  if (!validate || typeof entry.responseBody !== 'object') return [];
  return validate(entry.responseBody) ? [] : [`${entry.method} ${entry.path} → ${entry.status}: ${spec.paramAjv.errorsText(validate.errors, { dataVar: 'response' })}`];
}

describe('the spec and the validator', () => {
  it('loads the spec', () => {
    expect(spec.operations.length).toBeGreaterThan(100);
    expect(spec.operations.find((o) => o.id === 'createPayments')).toMatchObject({ method: 'PUT', template: '/Payments' });
  });

  it('catches requests the spec does not describe', () => {
    const ok = {
      method: 'PUT', path: `${API_PREFIX}/Payments`, query: { summarizeErrors: 'false' },
      headers: { authorization: 'Bearer at_x', 'xero-tenant-id': 't', 'content-type': 'application/json', 'idempotency-key': 'k' },
      body: { Payments: [{ Invoice: { InvoiceID: '8b2f6c1e-0000-4000-8000-000000000001' }, Account: { Code: '090' }, Amount: 12.5, Date: '2026-03-01' }] },
    };
    expect(requestProblems(ok)).toEqual([]);
    const variants: Array<[string, Partial<typeof ok> & Record<string, unknown>]> = [
      ['unknown path', { path: `${API_PREFIX}/Paymentz` }],
      ['unknown method', { method: 'DELETE' }],
      ['missing tenant header', { headers: { authorization: 'Bearer at_x', 'content-type': 'application/json' } as any }],
      ['unknown query parameter', { query: { summariseErrors: 'false' } as any }],
      ['badly typed query parameter', { query: { summarizeErrors: 'maybe' } }],
      ['amount as a string', { body: { Payments: [{ Amount: '12.50' }] } as any }],
      ['an undeclared property', { body: { Payments: [{ Amount: 1, Amont: 2 }] } as any }],
      ['a readOnly property', { body: { Payments: [{ Amount: 1, PaymentType: 'ACCRECPAYMENT' }] } as any }],
      ['a status outside the enum', { body: { Payments: [{ Amount: 1, Status: 'PAID' }] } as any }],
    ];
    for (const [what, change] of variants) expect([what, requestProblems({ ...ok, ...change })]).toEqual([what, expect.arrayContaining([expect.any(String)])]);
    const badPathParam = { ...ok, method: 'GET', path: `${API_PREFIX}/CreditNotes/not-a-uuid`, query: {}, body: {} };
    expect(requestProblems(badPathParam)).toEqual([expect.stringMatching(/path CreditNoteID.*uuid/)]);
  });
});

describe('the Xero adapter against the spec', () => {
  let xero: XeroFixture;
  let platform: AccountingPlatform;
  let n = 0;
  const key = (what: string) => `contract-${what}-${++n}`;

  beforeAll(async () => {
    xero = await startXero({ limits: { perMinute: 10_000 } });
    platform = xero.platform;
    // Every operation of the port, including the refusals Xero answers.
    const contact = await platform.createContact({ name: 'Contract Co', email: 'ap@contract.example', accountNumber: 'CC-1' }, key('contact'));
    await platform.findContacts({ name: 'Contract Co', email: 'ap@contract.example', accountNumber: 'CC-1' });
    await platform.findContacts({});
    await platform.createContact({ name: 'Contract Co' }, key('contact')).catch(() => undefined); // duplicate: 400
    const line = { description: 'Support', quantity: 2, unitAmountMinor: 1250, accountCode: '200', taxType: 'OUTPUT' };
    const invoice = await platform.createInvoice({
      contactId: contact.id, number: 'C-1', reference: 'ref', date: '2026-03-01', dueDate: '2026-03-31', currency: 'AUD', status: 'authorised', lines: [line],
    }, key('invoice'));
    const draft = await platform.createInvoice({ contactId: contact.id, date: '2026-03-01', dueDate: '2026-03-31', currency: 'AUD', status: 'draft', lines: [line] }, key('invoice'));
    await platform.listInvoices({ contactId: contact.id, outstandingOnly: true, fromDate: '2026-01-01', page: 1 });
    await platform.listInvoices({});
    await platform.getInvoice(invoice.id);
    await platform.getInvoice('00000000-0000-0000-0000-000000000000');
    await platform.createPayments([
      { invoiceId: invoice.id, amountMinor: 500, date: '2026-03-02', accountCode: '090', reference: 'card' },
      { invoiceId: draft.id, amountMinor: 500, date: '2026-03-02', accountCode: '090' },
    ], key('payments'));
    const note = await platform.createCreditNote({ contactId: contact.id, reference: 'quote', date: '2026-03-02', currency: 'AUD', status: 'draft', lines: [line] }, key('credit'));
    await platform.getCreditNote(note.id);
    await platform.approveCreditNote(note.id, key('approve'));
    await platform.allocateCreditNote(note.id, { invoiceId: invoice.id, amountMinor: 1000, date: '2026-03-03' }, key('allocate'));
    await platform.voidCreditNote(note.id, key('void')).catch(() => undefined); // allocated: 400
    await platform.removeCreditNoteAllocations(note.id);
    await platform.voidCreditNote(note.id, key('void'));
    const doomed = await platform.createCreditNote({ contactId: contact.id, date: '2026-03-02', currency: 'AUD', status: 'draft', lines: [line] }, key('credit'));
    await platform.deleteCreditNote(doomed.id);
    await platform.createPrepayment({ contactId: contact.id, amountMinor: 9999, currency: 'AUD', date: '2026-03-04', accountCode: '090', reference: 'BPAY' }, key('prepay'));
  });
  afterAll(() => xero.close());

  const apiRequests = () => xero.emu.requests.filter((r) => r.path.startsWith(API_PREFIX));

  it('uses every operation Settle needs', () => {
    const used = new Set(apiRequests().map((r) => spec.operations.find((o) => o.method === r.method && o.pattern.test(r.path.slice(API_PREFIX.length)))?.id));
    expect([...used].sort()).toEqual([
      'createBankTransactions', 'createContacts', 'createCreditNoteAllocation', 'createCreditNotes', 'createInvoices', 'createPayments',
      'deleteCreditNoteAllocations', 'getContacts', 'getCreditNote', 'getInvoice', 'getInvoices', 'updateCreditNote',
    ]);
  });

  it('sends only requests the spec describes', () => {
    expect(apiRequests().length).toBeGreaterThan(15);
    expect(apiRequests().flatMap(requestProblems)).toEqual([]);
  });

  it('carries an Idempotency-Key on every write, within Xero\'s 128 characters', () => {
    const writes = apiRequests().filter((r) => r.method === 'PUT' || r.method === 'POST');
    expect(writes.length).toBeGreaterThan(8);
    for (const w of writes) expect([w.path, String(w.headers['idempotency-key'] ?? '')]).toEqual([w.path, expect.stringMatching(/^[A-Za-z0-9_-]{1,128}$/)]);
  });

  it('is answered by the emulator in the shapes the spec gives', () => {
    expect(apiRequests().flatMap(responseProblems)).toEqual([]);
  });
});
